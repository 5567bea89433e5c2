package dev.panagrad.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value} or {@code --name=value}, and bare {@code --flag}s.
 * Each option is taken once by its reader; {@link #finish()} rejects anything left over.
 *
 * <pre>{@code
 * Args a = new Args("train", args, Set.of("help"));
 * int epochs = a.integer("epochs", 10, 1);
 * a.finish();
 * }</pre>
 */
final class Args {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    /** Parses {@code args}; the names in {@code flags} take no value. */
    Args(String command, String[] args, Set<String> flags) {
        this.command = command;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) throw usage("unexpected argument '" + a + "'");
            String name = a.substring(2), value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (flags.contains(name)) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw usage("--" + name + " needs a value");
            }
            if (values.put(name, value) != null) throw usage("--" + name + " is given twice");
        }
    }

    /** A bare flag. */
    boolean flag(String name) {
        String v = values.remove(name);
        if (v == null) return false;
        if (v.equals("true")) return true;
        if (v.equals("false")) return false;
        throw usage("--" + name + " expects true or false; given '" + v + "'");
    }

    /** A string option, or {@code fallback}. */
    String string(String name, String fallback) {
        String v = values.remove(name);
        return v == null ? fallback : v;
    }

    /** One of the {@code choices}, or {@code fallback}. */
    String choice(String name, String fallback, Set<String> choices) {
        String v = string(name, fallback);
        if (v != null && !choices.contains(v)) throw usage("--" + name + " must be one of " + choices + "; given '" + v + "'");
        return v;
    }

    /** A path option, or null. */
    Path path(String name) {
        String v = values.remove(name);
        return v == null ? null : Path.of(v);
    }

    /** An integer of at least {@code min}, or {@code fallback}. */
    long integer(String name, long fallback, long min) {
        String v = values.remove(name);
        if (v == null) return fallback;
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw usage("--" + name + " expects an integer >= " + min + "; given '" + v + "'");
    }

    /** A positive finite number, or {@code fallback}. */
    double positive(String name, double fallback) {
        String v = values.remove(name);
        if (v == null) return fallback;
        try {
            double x = Double.parseDouble(v.trim());
            if (x > 0 && Double.isFinite(x)) return x;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw usage("--" + name + " expects a positive number; given '" + v + "'");
    }

    /** Throws if an option was given that no reader took. */
    void finish() {
        if (!values.isEmpty()) throw usage("unknown option --" + values.keySet().iterator().next());
    }

    /** A usage error of this command. */
    IllegalArgumentException usage(String what) {
        return new IllegalArgumentException(command + ": " + what + " (see --help)");
    }
}
