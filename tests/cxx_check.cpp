// Compiles the public headers as C++11 (-Wall -Wextra -Werror -pedantic) to
// make sure they stay usable from C++: extern "C" guards, no C-only syntax.
#include <prack/prack.h>
#include <prack/header.h>
#include <prack/error.h>
#include <prack/version.h>

int main()
{
    prack_error_t err = PRACK_OK;
    (void)err;
    const char *version = PRACK_VERSION_STRING;
    (void)version;
    return 0;
}
