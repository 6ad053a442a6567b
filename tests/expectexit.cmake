# Runs COMMAND with ARGUMENTS (a ;-list) and fails unless it exits with EXPECTED_EXIT.
execute_process(COMMAND ${COMMAND} ${ARGUMENTS} RESULT_VARIABLE result OUTPUT_QUIET ERROR_QUIET)
if(NOT result STREQUAL "${EXPECTED_EXIT}")
    message(FATAL_ERROR "${COMMAND} ${ARGUMENTS}: exit code ${result}, expected ${EXPECTED_EXIT}")
endif()
