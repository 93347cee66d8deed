package io.github.panamasockets;

/**
 * The kernel's view of a TCP connection: the {@code TCP_INFO} option ({@code struct tcp_info};
 * see tcp(7)). Times are in microseconds; sizes in bytes; windows in segments.
 *
 * {@snippet :
 * var info = conn.get(SockOpt.TCP_INFO);
 * info.state()    // ==> 1, TCP_ESTABLISHED
 * info.rtt()      // smoothed round-trip time, microseconds
 * }
 *
 * @param state the TCP state ({@code TCP_ESTABLISHED} is 1, {@code TCP_LISTEN} 10)
 * @param caState the congestion-avoidance state
 * @param retransmits retransmissions of the current segment
 * @param probes zero-window probes sent
 * @param backoff the retransmit backoff exponent
 * @param options the options negotiated ({@code TCPI_OPT_*} bits)
 * @param rto the retransmission timeout
 * @param ato the delayed-ACK timeout
 * @param sndMss the sending maximum segment size
 * @param rcvMss the receiving maximum segment size
 * @param unacked segments sent and not yet acknowledged
 * @param sacked segments selectively acknowledged
 * @param lost segments considered lost
 * @param retrans segments being retransmitted
 * @param pmtu the path MTU
 * @param rcvSsthresh the receive slow-start threshold
 * @param rtt the smoothed round-trip time
 * @param rttVar the round-trip time variance
 * @param sndSsthresh the send slow-start threshold
 * @param sndCwnd the congestion window
 * @param advMss the advertised maximum segment size
 * @param reordering the reordering metric
 * @param totalRetrans retransmissions over the connection's life
 */
public record TcpInfo(int state, int caState, int retransmits, int probes, int backoff, int options,
                      int rto, int ato, int sndMss, int rcvMss, int unacked, int sacked, int lost, int retrans,
                      int pmtu, int rcvSsthresh, int rtt, int rttVar, int sndSsthresh, int sndCwnd, int advMss,
                      int reordering, int totalRetrans) {
}
