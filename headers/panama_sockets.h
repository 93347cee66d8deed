/*
 * The C API that panama-sockets binds. jextract reads this file and keeps only what
 * headers/includes.txt names, so adding a header here costs nothing until a symbol
 * from it is listed there.
 *
 * jextract reads it without _GNU_SOURCE: with it, glibc declares bind, connect, accept and the
 * other address-taking calls with a transparent union (__SOCKADDR_ARG) that has no Java form.
 * The few Linux extensions the library needs are declared at the end, as the kernel ABI defines
 * them. LayoutTest compiles this file with -D_GNU_SOURCE, so glibc's own declarations are used
 * there, and the struct layouts jextract saw are checked against them.
 */


#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if.h>
#include <sched.h>
/* The clone flags, CLONE_NEWNET among them: glibc's <sched.h> has them only under _GNU_SOURCE. */
#include <linux/sched.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <linux/if_addr.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/unix_diag.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>

#ifndef _GNU_SOURCE
/* Linux extensions that glibc declares only under _GNU_SOURCE. */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addr_len, int flags);
extern int pipe2(int pipedes[2], int flags);
extern int setns(int fd, int nstype);

struct ucred {
    pid_t pid;
    uid_t uid;
    gid_t gid;
};

struct in6_pktinfo {
    struct in6_addr ipi6_addr;
    unsigned int ipi6_ifindex;
};

#define SCM_CREDENTIALS 0x02
#define POLLRDHUP 0x2000
#endif
