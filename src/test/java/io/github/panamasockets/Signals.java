package io.github.panamasockets;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGWINCH aimed at chosen threads of this process, to interrupt their system calls (EINTR). A
 * handler is installed through the JDK's sun.misc.Signal for the test class that registers this
 * extension ({@code @RegisterExtension static final Signals SIGNALS = new Signals();}), since
 * SIGWINCH is ignored by default and an ignored signal interrupts nothing; the previous handler is
 * restored after the class.
 */
final class Signals implements BeforeAllCallback, AfterAllCallback {
    static final int SIGWINCH = 28;
    private static final MethodHandle GETTID;
    private static final MethodHandle TGKILL;
    private static final AtomicInteger HANDLED = new AtomicInteger();

    static {
        Linker linker = Linker.nativeLinker();
        GETTID = linker.downcallHandle(linker.defaultLookup().findOrThrow("gettid"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        TGKILL = linker.downcallHandle(linker.defaultLookup().findOrThrow("tgkill"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    /** The handler before this one; null while none is installed. */
    private Object previous;

    /** Installs a counting SIGWINCH handler, so that the signal interrupts rather than being ignored. */
    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Module unsupported = ModuleLayer.boot().findModule("jdk.unsupported").orElseThrow();
        Signals.class.getModule().addReads(unsupported);
        Class<?> signal = Class.forName("sun.misc.Signal");
        Class<?> handler = Class.forName("sun.misc.SignalHandler");
        Object winch = signal.getConstructor(String.class).newInstance("WINCH");
        Object counting = java.lang.reflect.Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler},
                (proxy, method, args) -> {
                    if (method.getName().equals("handle")) {
                        HANDLED.incrementAndGet();
                    }
                    return null;
                });
        previous = signal.getMethod("handle", signal, handler).invoke(null, winch, counting);
    }

    /** {@return how many signals the handler has seen so far}, in this JVM */
    static int handled() {
        return HANDLED.get();
    }

    /** {@return the calling thread's kernel thread id} (a virtual thread's is its carrier's) */
    static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** Sends SIGWINCH to one thread of this process; {@return tgkill(2)'s result}, 0 if sent */
    static int signal(int tid) {
        try {
            return (int) TGKILL.invokeExact((int) ProcessHandle.current().pid(), tid, SIGWINCH);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Sends SIGWINCH to every thread of this process (carriers, the poller threads, all of them);
     * {@return how many took it} (a thread may exit between the listing and the signal)
     */
    static int signalAll() {
        String[] tasks = new File("/proc/self/task").list();
        int sent = 0;
        for (String t : tasks == null ? new String[0] : tasks) {
            sent += signal(Integer.parseInt(t)) == 0 ? 1 : 0;
        }
        return sent;
    }

    /** Restores the handler that was there before. */
    @Override
    public void afterAll(ExtensionContext context) throws ReflectiveOperationException {
        Class<?> signal = Class.forName("sun.misc.Signal");
        Class<?> handler = Class.forName("sun.misc.SignalHandler");
        Object winch = signal.getConstructor(String.class).newInstance("WINCH");
        signal.getMethod("handle", signal, handler).invoke(null, winch, previous);
    }
}
