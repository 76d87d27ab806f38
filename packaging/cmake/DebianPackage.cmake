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
      "libbpf-dev, libelf-dev, libsodium-dev, libssl-dev, libseccomp-dev, libyaml-cpp-dev, nlohmann-json3-dev, pkg-config")
  if(TARGET pqbpf_python)
    # The extension is built for one CPython ABI (its suffix says which, e.g.
    # .cpython-311-x86_64-linux-gnu.so): pin python3 to that minor version.
    set(python_depends "python3")
    get_target_property(suffix pqbpf_python SUFFIX)
    if(NOT suffix MATCHES "cpython-([0-9])([0-9]+)")
      set(suffix "")
      foreach(python IN ITEMS "${Python3_EXECUTABLE}" "${_Python3_EXECUTABLE}" "${PYTHON_EXECUTABLE}")
        if(python AND suffix STREQUAL "")
          execute_process(COMMAND ${python} -c "import sys; print('cpython-%d%d' % sys.version_info[:2])"
                          OUTPUT_VARIABLE suffix OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
        endif()
      endforeach()
    endif()
    if(suffix MATCHES "cpython-([0-9])([0-9]+)")
      math(EXPR next_minor "${CMAKE_MATCH_2} + 1")
      set(python_depends
          "python3 (>= ${CMAKE_MATCH_1}.${CMAKE_MATCH_2}~), python3 (<< ${CMAKE_MATCH_1}.${next_minor})")
    endif()
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "${python_depends}")
  endif()
  set(debian_dir "${PROJECT_SOURCE_DIR}/packaging/debian")
  configure_file("${debian_dir}/conffiles.in" "${PROJECT_BINARY_DIR}/packaging/debian/conffiles" @ONLY)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
      "${PROJECT_BINARY_DIR}/packaging/debian/conffiles;${debian_dir}/postinst;${debian_dir}/prerm;${debian_dir}/postrm")
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  include(CPack)
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL pqbpf_debian_package)
