/**
 * Netlink, the kernel's message protocol for networking configuration and state: framing,
 * attributes, a request/response socket, multicast events, and typed clients for rtnetlink and
 * sock_diag; see <a href="https://man7.org/linux/man-pages/man7/netlink.7.html">netlink(7)</a>,
 * <a href="https://man7.org/linux/man-pages/man7/rtnetlink.7.html">rtnetlink(7)</a> and
 * <a href="https://man7.org/linux/man-pages/man7/sock_diag.7.html">sock_diag(7)</a>.
 *
 * <h2>Layers</h2>
 * <ul>
 *   <li>Messages: {@link io.github.panamasockets.netlink.NetlinkMessage} (a
 *       {@link io.github.panamasockets.netlink.NetlinkHeader} and a payload) parses and encodes
 *       datagrams with every length checked, and {@link io.github.panamasockets.netlink.NetlinkFlags}
 *       names the flags.</li>
 *   <li>Attributes: {@link io.github.panamasockets.netlink.AttributeDecoder} walks them with length
 *       checks and typed readers; {@link io.github.panamasockets.netlink.AttributeEncoder} builds
 *       them, nested ones included.</li>
 *   <li>The socket: {@link io.github.panamasockets.netlink.NetlinkSocket} numbers requests, sizes
 *       its buffer to each datagram, collects dumps, checks replies and joins multicast groups.</li>
 *   <li>Clients: {@link io.github.panamasockets.netlink.RouteNetlink} for links, addresses, routes
 *       and their events; {@link io.github.panamasockets.netlink.SockDiag} for socket listings.</li>
 *   <li>Namespaces: {@link io.github.panamasockets.netlink.NetNamespace} opens a network namespace
 *       and creates sockets inside it, so that a client lists and changes that namespace.</li>
 * </ul>
 * Every failure is a {@link io.github.panamasockets.netlink.NetlinkException} of its own kind.
 *
 * {@snippet :
 * import io.github.panamasockets.netlink.*;
 * try (var rt = RouteNetlink.open()) {
 *     rt.links().forEach(l -> System.out.println(l.name() + " " + l.operState().shortName()));
 * }
 * }
 */
package io.github.panamasockets.netlink;
