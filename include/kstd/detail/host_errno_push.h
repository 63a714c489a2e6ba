// Host tests only (included by <kstd/errno.h> under CONDUIT_HOST_TEST). No #pragma once: it is
// included once per declaration of the Errno enum, paired with host_errno_pop.h.
//
// On the host, libc's <errno.h> (pulled in by almost any C++ library header) defines EINVAL & co.
// as macros, which would turn the enumerators of kstd::Errno into bare numbers. Save and hide
// the macros while the enum is declared; host_errno_pop.h restores them. The values are the
// same (Linux), so after the header an unqualified EINVAL means 22 either way; only the
// qualified spelling kstd::EINVAL is unavailable in host code that also sees libc's macros.
#include <errno.h>
#pragma push_macro("EPERM")
#pragma push_macro("ENOENT")
#pragma push_macro("EINTR")
#pragma push_macro("EIO")
#pragma push_macro("ENXIO")
#pragma push_macro("E2BIG")
#pragma push_macro("EBADF")
#pragma push_macro("EAGAIN")
#pragma push_macro("ENOMEM")
#pragma push_macro("EFAULT")
#pragma push_macro("EBUSY")
#pragma push_macro("EEXIST")
#pragma push_macro("ENODEV")
#pragma push_macro("EINVAL")
#pragma push_macro("ENFILE")
#pragma push_macro("EMFILE")
#pragma push_macro("ENOTTY")
#pragma push_macro("EFBIG")
#pragma push_macro("ENOSPC")
#pragma push_macro("ESPIPE")
#pragma push_macro("EROFS")
#pragma push_macro("EPIPE")
#pragma push_macro("ERANGE")
#pragma push_macro("EDEADLK")
#pragma push_macro("ENAMETOOLONG")
#pragma push_macro("ENOSYS")
#pragma push_macro("ENODATA")
#pragma push_macro("EPROTO")
#pragma push_macro("EOVERFLOW")
#pragma push_macro("EBADMSG")
#pragma push_macro("EMSGSIZE")
#pragma push_macro("EOPNOTSUPP")
#pragma push_macro("ENETDOWN")
#pragma push_macro("ENOBUFS")
#pragma push_macro("ETIMEDOUT")
#pragma push_macro("EALREADY")
#pragma push_macro("EINPROGRESS")
#pragma push_macro("ECANCELED")
#undef EPERM
#undef ENOENT
#undef EINTR
#undef EIO
#undef ENXIO
#undef E2BIG
#undef EBADF
#undef EAGAIN
#undef ENOMEM
#undef EFAULT
#undef EBUSY
#undef EEXIST
#undef ENODEV
#undef EINVAL
#undef ENFILE
#undef EMFILE
#undef ENOTTY
#undef EFBIG
#undef ENOSPC
#undef ESPIPE
#undef EROFS
#undef EPIPE
#undef ERANGE
#undef EDEADLK
#undef ENAMETOOLONG
#undef ENOSYS
#undef ENODATA
#undef EPROTO
#undef EOVERFLOW
#undef EBADMSG
#undef EMSGSIZE
#undef EOPNOTSUPP
#undef ENETDOWN
#undef ENOBUFS
#undef ETIMEDOUT
#undef EALREADY
#undef EINPROGRESS
#undef ECANCELED
