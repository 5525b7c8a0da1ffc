/*
 * ASan's defaults for every libFuzzer target (linked into each in the
 * -Dfuzzing=true build only; an ASAN_OPTIONS setting still wins).
 *
 * An execution allocates little: libFuzzer's copy of the input, and in the
 * parser targets a buffer of the input's exact size so that a read past it
 * is caught. ASan's default quarantine keeps 256 MiB of freed blocks before
 * reusing any, so every execution's blocks landed on pages not touched for
 * thousands of runs, and the page faults were 5 to 8% of the profiles of
 * `pair` and `sipmsg`. A quarantine of 1 MiB still holds the blocks of
 * thousands of executions for use-after-free reports.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=1";
}
#endif
#endif
