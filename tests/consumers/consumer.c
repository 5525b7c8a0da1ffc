/*
 * A program that uses an installed libprack (or libprack as a subproject):
 * prints the library's version and fails unless it is the one the headers
 * describe. scripts/consumers.sh builds it with pkg-config, CMake and meson.
 */
#include <stdio.h>
#include <string.h>

#include <prack/prack.h>

int main(void)
{
    const char *v = prack_version();
    printf("libprack %s\n", v);
    return strcmp(v, PRACK_VERSION_STRING) == 0 ? 0 : 1;
}
