package io.github.panamasockets.netlink;

import io.github.panamasockets.internal.gen.LibC;
import io.github.panamasockets.internal.gen.nlmsgerr;

/**
 * Reads acknowledgements: {@code NLMSG_ERROR} (an error, or 0 for an ACK) and the error code a
 * dump's {@code NLMSG_DONE} carries, with the extended-ack attributes after either.
 */
final class Acks {
    private Acks() {}

    private static final int NLMSGERR_SIZE = (int) nlmsgerr.sizeof();
    private static final int ERROR = (int) nlmsgerr.error$offset();
    private static final int MSG = (int) nlmsgerr.msg$offset();
    private static final int ATTR_MSG = LibC.NLMSGERR_ATTR_MSG();
    private static final int ATTR_OFFS = LibC.NLMSGERR_ATTR_OFFS();

    /**
     * Checks an NLMSG_ERROR: returns if it is an ACK (error 0), throws the kernel's error
     * otherwise.
     */
    static void checkError(NetlinkMessage m) throws NetlinkException {
        byte[] p = m.raw();
        if (p.length < NLMSGERR_SIZE) {
            throw new NetlinkMalformedException("short NLMSG_ERROR: payload is " + p.length
                    + " bytes; struct nlmsgerr needs " + NLMSGERR_SIZE + " (the error and the request's nlmsghdr)");
        }
        int error = Wire.u32(p, ERROR);
        if (error == 0) {
            return;
        }
        if (error > 0 || error == Integer.MIN_VALUE) {
            throw new NetlinkMalformedException("NLMSG_ERROR carries error " + error
                    + "; the kernel sends 0 or a negative errno");
        }
        int requestType = Wire.u16(p, MSG + Wire.NLMSG_TYPE);
        String text = null;
        int offset = -1;
        if (m.header().has(NetlinkFlags.ACK_TLVS)) {
            int tlvs;
            if (m.header().has(NetlinkFlags.CAPPED)) {
                tlvs = Wire.nlmsgAlign(NLMSGERR_SIZE);
            } else {
                long echoed = Integer.toUnsignedLong(Wire.u32(p, MSG + Wire.NLMSG_LEN));
                long end = MSG + Wire.nlmsgAlign(echoed);
                if (echoed < NetlinkHeader.SIZE || end > p.length) {
                    throw new NetlinkMalformedException("NLMSG_ERROR echoes a request of nlmsg_len " + echoed
                            + " but holds " + (p.length - MSG) + " bytes after its error field");
                }
                tlvs = (int) end;
            }
            AttributeDecoder d = new AttributeDecoder(p, tlvs, p.length - tlvs);
            while (d.next()) {
                if (d.type() == ATTR_MSG) {
                    text = d.string();
                } else if (d.type() == ATTR_OFFS) {
                    offset = d.u32();
                }
            }
        }
        throw new NetlinkErrorException(-error, requestType, text, offset < 0 ? -1 : offset);
    }

    /** Checks an NLMSG_DONE: returns if the dump succeeded, throws the error it carries otherwise. */
    static void checkDone(NetlinkMessage m, int requestType) throws NetlinkException {
        byte[] p = m.raw();
        if (p.length < 4) {
            return;
        }
        int error = Wire.u32(p, 0);
        if (error >= 0) {
            return;
        }
        if (error == Integer.MIN_VALUE) {
            throw new NetlinkMalformedException("NLMSG_DONE carries error " + error + ", which is no errno");
        }
        String text = null;
        int offset = -1;
        if (m.header().has(NetlinkFlags.ACK_TLVS)) {
            AttributeDecoder d = new AttributeDecoder(p, 4, p.length - 4);
            while (d.next()) {
                if (d.type() == ATTR_MSG) {
                    text = d.string();
                } else if (d.type() == ATTR_OFFS) {
                    offset = d.u32();
                }
            }
        }
        throw new NetlinkErrorException(-error, requestType, text, offset < 0 ? -1 : offset);
    }
}
