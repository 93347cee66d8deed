/*
 * The C baseline of the netlink workload of scripts/bench.sh: an RTM_GETLINK dump over one
 * NETLINK_ROUTE socket, repeated, each reply parsed into the fields the library's RtnlLink holds
 * (index, type, flags, name, MTU, address, operational state, link kind).
 *
 *   netlink_dump DUMPS
 *
 * Prints: netlink-getlink c p50_ns p99_ns p999_ns dumps_per_s dumps_timed, after a warm-up of
 * DUMPS / 10 (see measure in bench.h).
 */
#include "bench.h"

#include <net/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

struct link {
    int index, type;
    unsigned flags, mtu;
    char name[IFNAMSIZ];
    unsigned char address[32];
    int address_len, oper_state;
    char kind[32];
};

static char buf[32768];
static unsigned seq;

static void copy_string(char *dst, size_t size, const struct rtattr *a) {
    size_t n = RTA_PAYLOAD(a) < size ? RTA_PAYLOAD(a) : size - 1;
    memcpy(dst, RTA_DATA(a), n);
    dst[n] = 0;
}

static void parse_link(const struct nlmsghdr *h, struct link *l) {
    const struct ifinfomsg *ifi = NLMSG_DATA(h);
    memset(l, 0, sizeof *l);
    l->index = ifi->ifi_index;
    l->type = ifi->ifi_type;
    l->flags = ifi->ifi_flags;
    int len = IFLA_PAYLOAD(h);
    for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        switch (a->rta_type) {
        case IFLA_IFNAME: copy_string(l->name, sizeof l->name, a); break;
        case IFLA_MTU: memcpy(&l->mtu, RTA_DATA(a), 4); break;
        case IFLA_OPERSTATE: l->oper_state = *(unsigned char *) RTA_DATA(a); break;
        case IFLA_ADDRESS:
            l->address_len = RTA_PAYLOAD(a) < sizeof l->address ? RTA_PAYLOAD(a) : sizeof l->address;
            memcpy(l->address, RTA_DATA(a), l->address_len);
            break;
        case IFLA_LINKINFO: {
            int n = RTA_PAYLOAD(a);
            for (const struct rtattr *i = RTA_DATA(a); RTA_OK(i, n); i = RTA_NEXT(i, n)) {
                if (i->rta_type == IFLA_INFO_KIND) copy_string(l->kind, sizeof l->kind, i);
            }
            break;
        }
        }
    }
}

/* One dump: the request, then every reply datagram up to NLMSG_DONE. Returns the links seen. */
static int dump(int fd, struct link *links, int max) {
    struct {
        struct nlmsghdr h;
        struct ifinfomsg i;
    } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = RTM_GETLINK;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = ++seq;
    req.i.ifi_family = AF_UNSPEC;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0) die("sendto");
    int count = 0;
    for (;;) {
        struct sockaddr_nl from;
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &from_len);
        if (n < 0) die("recvfrom");
        if (from.nl_pid != 0) continue;
        for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != seq) continue;
            if (h->nlmsg_type == NLMSG_DONE) return count;
            if (h->nlmsg_type == NLMSG_ERROR) {
                fprintf(stderr, "netlink error %d\n", ((struct nlmsgerr *) NLMSG_DATA(h))->error);
                exit(1);
            }
            if (h->nlmsg_type == RTM_NEWLINK && count < max) parse_link(h, &links[count++]);
        }
    }
}

#define LINKS_MAX 1024
static struct link links[LINKS_MAX];

static void one_dump(void *arg) {
    if (dump(*(int *) arg, links, LINKS_MAX) == 0) {
        fprintf(stderr, "the dump listed no links\n");
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DUMPS\n", argv[0]);
        return 2;
    }
    long dumps = atol(argv[1]);
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) die("socket");
    struct sockaddr_nl local = {.nl_family = AF_NETLINK};
    if (bind(fd, (struct sockaddr *) &local, sizeof local) < 0) die("bind");
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
    if (dump(fd, links, LINKS_MAX) == 0) {
        fprintf(stderr, "the dump listed no links\n");
        return 1;
    }
    measure("netlink-getlink", "c", dumps, one_dump, &fd);
    close(fd);
    return 0;
}
