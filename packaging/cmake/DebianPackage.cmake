# CPack settings for pqc-bpf_<version>_amd64.deb (`cmake --build build --target
# package`, or scripts/package.sh). Depends: is computed by dpkg-shlibdeps from
# the binaries we ship, plus python3 when the Python module is built.
set(PQBPF_PACKAGE_MAINTAINER
    "pqc-ebpf-attestation maintainers <maintainers@users.noreply.r-seed-b57f7def.example>"
    CACHE STRING "Maintainer field of the Debian package")

# Evaluated once the whole tree is configured, so that it sees the Python
# module's target wherever the top-level CMakeLists adds it.
function(pqbpf_debian_package)
  set(CPACK_GENERATOR DEB)
  set(CPACK_SOURCE_GENERATOR "")
  set(CPACK_PACKAGE_NAME pqc-bpf)
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_PACKAGE_CONTACT "${PQBPF_PACKAGE_MAINTAINER}")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "post-quantum (ML-DSA-65) signed load gate for eBPF programs")
  set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "\
pqc-bpf signs compiled eBPF objects (.bpf.o) with ML-DSA-65 (FIPS 204),
verifies them offline, decides with an ordered load policy whether they may
be loaded, and records every attempt in a tamper-evident audit log.

This package holds the pqc-bpf command, the gate daemon pqc-bpf-gated with
its systemd unit (installed, not enabled: it needs a policy and an audit log
key first, see /usr/share/doc/pqc-bpf/docs/DEPLOY.md), the C++ headers and
static library (find_package(pqbpf)), and the Python module when built.")
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # pqc-bpf_<version>_<arch>.deb
  set(CPACK_DEBIAN_PACKAGE_SECTION admin)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_STRIP_FILES ON)
  set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  # What a C++ consumer of libpqbpf.a links besides it (pqbpfConfig.cmake).
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS
      "libbpf-dev, libelf-dev, libsodium-dev, libseccomp-dev, libyaml-cpp-dev, nlohmann-json3-dev, pkg-config")
  if(TARGET pqbpf_python)
    # The extension is built for one CPython ABI (cpython-3XY): pin its minor version.
    set(python_depends "python3")
    if(Python3_EXECUTABLE)
      execute_process(COMMAND ${Python3_EXECUTABLE} -c
                              "import sys; print('%d.%d' % sys.version_info[:2]); print('%d.%d' % (sys.version_info[0], sys.version_info[1] + 1))"
                      OUTPUT_VARIABLE versions OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
      if(rc EQUAL 0)
        string(REPLACE "\n" ";" versions "${versions}")
        list(GET versions 0 this_version)
        list(GET versions 1 next_version)
        set(python_depends "python3 (>= ${this_version}~), python3 (<< ${next_version})")
      endif()
    endif()
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "${python_depends}")
    add_dependencies(pqbpf_package_files pqbpf_python)
  endif()
  set(debian_dir "${PROJECT_SOURCE_DIR}/packaging/debian")
  configure_file("${debian_dir}/conffiles.in" "${PROJECT_BINARY_DIR}/packaging/debian/conffiles" @ONLY)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
      "${PROJECT_BINARY_DIR}/packaging/debian/conffiles;${debian_dir}/postinst;${debian_dir}/prerm;${debian_dir}/postrm")
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  include(CPack)
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL pqbpf_debian_package)
