// hello: the smallest program; prints its arguments and its pid.
#include <conduit/io.h>
#include <conduit/sys.h>
#include <kstd/enforce.h>

int main(int argc, char** argv)
{
    printf("hello from pid %d:", getpid());
    for (int i = 0; i < argc; ++i)
        printf(" %s", argv[i]);
    printf("\n");
    return 0;
}
