/* An unused variable: -Wall warns, and the build must go on, since the
 * project that includes libprack chose no werror. */
int consumer_warning(void);

int consumer_warning(void)
{
    int unused;
    return 0;
}
