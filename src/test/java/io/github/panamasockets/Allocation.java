package io.github.panamasockets;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** How many bytes the current thread has allocated: for tests that check a path allocates nothing. */
final class Allocation {
    private Allocation() {}

    private static final MethodHandle ALLOCATED;

    static {
        try {
            // com.sun.management.ThreadMXBean, through a method handle: the test module does not
            // read jdk.management.
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            ALLOCATED = MethodHandles.publicLookup().findVirtual(type, "getCurrentThreadAllocatedBytes",
                    MethodType.methodType(long.class)).bindTo(bean);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@return the bytes the current (platform) thread has allocated so far} */
    static long allocated() {
        try {
            return (long) ALLOCATED.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
