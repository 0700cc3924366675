# gale_library(NAME name SOURCES ... [DEPS ...] [PUBLIC_DEPS ...])
# One static library per runtime folder, exposed as gale::<name>. Its include
# root is the repository's runtime/ directory, so code includes
# "wire/codec.h", "common/status.h", ...
function(gale_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  set(target gale_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(gale::${ARG_NAME} ALIAS ${target})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/runtime)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_DEPS})
  gale_warnings(${target})
endfunction()

# gale_test(NAME name SOURCES ... DEPS ...): a GoogleTest executable registered with ctest.
function(gale_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  gale_warnings(${ARG_NAME})
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 TEST_PREFIX "${ARG_NAME}."
                       PROPERTIES LABELS "${ARG_LABELS}")
endfunction()

function(gale_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports false positives on std::string concatenation (GCC PR 105329).
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-stringop-overflow)
  endif()
  if(GALE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
