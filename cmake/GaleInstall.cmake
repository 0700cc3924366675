# Installs the CMake package that lets other projects build plugins:
#
#   find_package(Gale REQUIRED)
#   gale_add_plugin(wordcount src.cc)   # -> libwordcount.so linking Gale::api
#
# The targets themselves (headers, libgale_api.so, the built-in component
# libraries and the gale program) are installed next to their definitions;
# this file adds lib/cmake/Gale/{GaleConfig,GaleConfigVersion,GaleTargets}.cmake.
# Include it once, at the end of the top-level CMakeLists.txt.

include(CMakePackageConfigHelpers)

set(GALE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Gale)

# The export set is filled by install(TARGETS gale_api EXPORT GaleTargets ...)
# in topology-api/; it yields the imported target Gale::api.
install(EXPORT GaleTargets
  NAMESPACE Gale::
  FILE GaleTargets.cmake
  DESTINATION ${GALE_INSTALL_CMAKEDIR})

# GaleConfig.cmake finds the gale program relative to its own location, so
# the installed tree can be moved as a whole.
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/GaleConfig.cmake.in
  ${PROJECT_BINARY_DIR}/GaleConfig.cmake
  INSTALL_DESTINATION ${GALE_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR
  NO_CHECK_REQUIRED_COMPONENTS_MACRO)

# Plugins compile against the C++ class layouts of the API, which may change
# between 0.x minor releases: only the same major.minor version is accepted.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/GaleConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)

install(FILES
  ${PROJECT_BINARY_DIR}/GaleConfig.cmake
  ${PROJECT_BINARY_DIR}/GaleConfigVersion.cmake
  DESTINATION ${GALE_INSTALL_CMAKEDIR})
