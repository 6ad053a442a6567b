# Runs COMMAND with ARGUMENTS (a ;-list) and fails unless it exits with EXPECTED_EXIT.
# Optional: UNSET_ENV (a ;-list of variables the command runs without), EXPECTED_STDERR (a
# regular expression its standard error must match) and STDERR_LINES (how many lines it writes
# there).
foreach(name IN LISTS UNSET_ENV)
    unset(ENV{${name}})
endforeach()
execute_process(COMMAND ${COMMAND} ${ARGUMENTS} RESULT_VARIABLE result OUTPUT_QUIET
    ERROR_VARIABLE errors)
if(NOT result STREQUAL "${EXPECTED_EXIT}")
    message(FATAL_ERROR "${COMMAND} ${ARGUMENTS}: exit code ${result}, expected ${EXPECTED_EXIT}")
endif()
if(DEFINED EXPECTED_STDERR AND NOT errors MATCHES "${EXPECTED_STDERR}")
    message(FATAL_ERROR "${COMMAND} ${ARGUMENTS}: standard error does not match "
        "\"${EXPECTED_STDERR}\":\n${errors}")
endif()
if(DEFINED STDERR_LINES)
    string(REGEX MATCHALL "\n" newlines "${errors}")
    list(LENGTH newlines lines)
    if(NOT lines EQUAL STDERR_LINES)
        message(FATAL_ERROR "${COMMAND} ${ARGUMENTS}: ${lines} lines on standard error, expected "
            "${STDERR_LINES}:\n${errors}")
    endif()
endif()
