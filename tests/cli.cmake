# CLI behaviour: one bash script per behaviour, each driving the real pqc-bpf.
set(cli_scripts
  keygen
  completion
  sign_verify
  check
  hostile_input
  mixed_object
  corpus
  planted_input
  subprogram_insns
  type_smuggling
  verify_many
  independent_envelope
  sandbox
  log
  secrets
  load
  transparent_gate
  transparent_corpus
  gate_run
  attach_targets
  outputs
)
# Objects only the CLI scripts use (tests/cli/testdata), built into tests/.
pqbpf_bpf_object(kprobe_multi_glob SOURCE cli/testdata/kprobe_multi_glob.bpf.c)
pqbpf_bpf_object(cgroup_skb_pass SOURCE cli/testdata/cgroup_skb_pass.bpf.c)

foreach(script ${cli_scripts})
  pqbpf_add_script_test(cli_${script}
    SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/cli/${script}_test.sh
    TIMEOUT 600
    LABELS cli)
  set_tests_properties(cli_${script} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
# Scripts that load into the running kernel or compare its program list
# never overlap other such tests (ctest -j).
set_tests_properties(cli_load cli_sandbox cli_transparent_gate cli_transparent_corpus cli_gate_run PROPERTIES RESOURCE_LOCK bpf_kernel)
