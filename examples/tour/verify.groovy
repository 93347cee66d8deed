// Run by maven-invoker-plugin after `mvn verify` of this project, which ran the tour: check that it
// echoed over every family and type and through a selector, finished, and ran without the JVM's
// native access warning.
def log = new File(basedir, 'build.log').text
[
    'AF_UNIX  SOCK_STREAM    /', 'AF_UNIX  SOCK_SEQPACKET /', 'AF_UNIX  SOCK_DGRAM     /',
    'AF_UNIX  SOCK_STREAM    @', 'AF_UNIX  SOCK_SEQPACKET @', 'AF_UNIX  SOCK_DGRAM     @',
    'AF_UNIX  SOCK_STREAM    socketpair', 'AF_UNIX  SOCK_SEQPACKET socketpair', 'AF_UNIX  SOCK_DGRAM     socketpair',
    'AF_INET  SOCK_STREAM    127.0.0.1:', 'AF_INET  SOCK_DGRAM     127.0.0.1:',
    'AF_INET6 SOCK_STREAM    [::1]:', 'AF_INET6 SOCK_DGRAM     [::1]:',
    'clients served by one thread through an EpollSelector',
    'AF_NETLINK SOCK_RAW NETLINK_ROUTE bound to netlink:0/0 -> kernel assigned netlink:',
    'native access enabled',
    'ip addr listing done', 'ss listing done', ': lo mtu 65536',
    'all echoes done',
].each { assert log.contains(it) : "the tour's output has no line with: " + it }
assert !log.contains('FAILED') : 'an echo failed'
assert !(log =~ /(?m)^WARNING: .*(restricted method|enable-native-access|Restricted methods)/) :
        'the JVM warned about native access'
