package dev.panagrad.blas;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleReference;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds the shared libraries that the {@code org.bytedeco:openblas} jar carries (as resources under
 * {@code org/bytedeco/openblas/<platform>/}) and copies them into a private cache folder, so that they can
 * be loaded by absolute path. Nothing is downloaded: the jar must be on the class path or module path.
 *
 * <p>The jar is looked up three ways, so that it is found whether it sits on the class path, on the module
 * path as the (open) module {@code org.bytedeco.openblas.<platform>}, or only in the JVM's path properties:
 * class loaders first, then the module layers, then the entries of {@code java.class.path} and
 * {@code jdk.module.path}.
 *
 * <p>The cache folder is {@code <cache>/openblas-<version>-<fingerprint>/}, where the fingerprint hashes the
 * names, sizes and CRCs of the libraries in the jar, so different jars never share a folder. Each file is
 * written to a temporary name and renamed into place, so JVMs that start together never see half a file.
 */
final class NativeLibraries {
    private NativeLibraries() {}

    /** The OpenBLAS library and the runtime libraries it needs, in the order they must be loaded. */
    static final List<String> LOAD_ORDER =
            List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0");
    static final String OPENBLAS = "libopenblas.so.0";
    private static final String POM_PROPERTIES = "META-INF/maven/org.bytedeco/openblas/pom.properties";

    /** Libraries copied out of the jar: their paths in load order, and where they came from. */
    record Extracted(List<Path> libraries, String jar, Path folder) {}

    /** bytedeco's name for this platform, e.g. {@code linux-x86_64}, or empty when it ships no such jar we know. */
    static Optional<String> platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) return Optional.empty();
        return switch (arch) {
            case "amd64", "x86_64" -> Optional.of("linux-x86_64");
            case "aarch64", "arm64" -> Optional.of("linux-arm64");
            default -> Optional.empty();
        };
    }

    /**
     * Copies the bundled libraries into the cache (reusing a complete earlier copy) and returns their paths.
     *
     * @throws IOException when the jar is missing or the cache cannot be written; the message says which
     */
    static Extracted extractBundled() throws IOException {
        String platform = platform().orElseThrow(() -> new IOException(
                "no bundled OpenBLAS for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                        + "; use -Dpanagrad.blas=system or -Dpanagrad.blas=/path/to/libopenblas.so.0"));
        String dir = "org/bytedeco/openblas/" + platform + "/";
        String module = "org.bytedeco.openblas." + platform.replace('-', '.');
        Source source = locate(dir + OPENBLAS, module);
        if (source == null) {
            throw new IOException("the jar org.bytedeco:openblas:*:" + platform
                    + " is on neither the class path nor the module path (looked for resource " + dir + OPENBLAS + ")");
        }
        try (source) {
            List<String> present = new ArrayList<>();
            StringBuilder key = new StringBuilder();
            for (String lib : LOAD_ORDER) {
                String fp = source.fingerprint(dir + lib);
                if (fp == null) continue;   // not every platform ships every runtime library
                present.add(lib);
                key.append(lib).append('=').append(fp).append('\n');
            }
            String version = source.version();
            Path folder = cacheRoot().resolve("openblas-" + version + "-" + sha256(key.toString()).substring(0, 16));
            createPrivateDirectories(folder);
            List<Path> paths = new ArrayList<>();
            for (String lib : present) {
                Path target = folder.resolve(lib);
                long size = source.size(dir + lib);
                if (!(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && size >= 0 && Files.size(target) == size)) {
                    copyAtomically(source, dir + lib, target);
                }
                paths.add(target);
            }
            return new Extracted(List.copyOf(paths), source.describe(), folder);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Where the libraries are written

    /**
     * {@code -Dpanagrad.blas.cache}, else {@code $XDG_CACHE_HOME/panagrad} or {@code ~/.cache/panagrad}, else a
     * folder of this user's under {@code java.io.tmpdir}, else a fresh temporary folder.
     */
    static Path cacheRoot() throws IOException {
        String explicit = System.getProperty("panagrad.blas.cache", "").trim();
        if (!explicit.isEmpty()) {
            Path p = Path.of(explicit).toAbsolutePath();
            createPrivateDirectories(p);
            return p;
        }
        List<Path> candidates = new ArrayList<>();
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) candidates.add(Path.of(xdg, "panagrad"));
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && !home.equals("?")) candidates.add(Path.of(home, ".cache", "panagrad"));
        for (Path p : candidates) {
            try {
                createPrivateDirectories(p);
                if (Files.isWritable(p)) return p;
            } catch (IOException | SecurityException ignored) {
                // try the next place
            }
        }
        // A shared temporary folder: use a per-user folder only if nobody else can write into it.
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"),
                "panagrad-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_"));
        try {
            createPrivateDirectories(tmp);
            if (ownedPrivately(tmp)) return tmp;
        } catch (IOException ignored) {
            // fall through
        }
        Path fresh = Files.createTempDirectory("panagrad-");
        fresh.toFile().deleteOnExit();
        return fresh;
    }

    private static boolean ownedPrivately(Path dir) throws IOException {
        if (!Files.getFileStore(dir).supportsFileAttributeView("posix")) return true;
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> p = a.permissions();
        return a.isDirectory()
                && a.owner().getName().equals(System.getProperty("user.name"))
                && !p.contains(PosixFilePermission.GROUP_WRITE) && !p.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /** Writes the resource to a temporary file beside the target, then renames it into place. */
    private static void copyAtomically(Source source, String name, Path target) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".part");
        try {
            try (InputStream in = source.open(name)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Where the libraries are read from

    /** Finds the jar (or folder) that holds {@code resource}; null when there is none. */
    private static Source locate(String resource, String moduleName) {
        // 1. Class loaders: the jar on the class path, or a resolved module (its resource folder is not a
        //    package, so it is never encapsulated).
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        loaders.add(NativeLibraries.class.getClassLoader());
        loaders.add(Thread.currentThread().getContextClassLoader());
        loaders.add(ClassLoader.getSystemClassLoader());
        for (ClassLoader cl : loaders) {
            if (cl == null) continue;
            URL url = cl.getResource(resource);
            if (url != null) {
                Source s = fromUrl(url, resource);
                if (s != null) return s;
            }
        }
        // 2. Module layers: the module may sit on the module path without being read by anyone.
        Set<ModuleLayer> layers = new LinkedHashSet<>();
        ModuleLayer own = NativeLibraries.class.getModule().getLayer();
        if (own != null) layers.add(own);
        layers.add(ModuleLayer.boot());
        for (ModuleLayer layer : layers) {
            Optional<URI> location = layer.configuration().findModule(moduleName)
                    .map(m -> m.reference()).flatMap(ModuleReference::location);
            if (location.isPresent() && "file".equals(location.get().getScheme())) {
                Source s = fromPath(Path.of(location.get()), resource);
                if (s != null) return s;
            }
        }
        // 3. The JVM's path properties, e.g. a module path entry that was never resolved.
        for (String prop : List.of("java.class.path", "jdk.module.path")) {
            String value = System.getProperty(prop);
            if (value == null || value.isBlank()) continue;
            for (String entry : value.split(java.io.File.pathSeparator)) {
                if (entry.isBlank()) continue;
                Path p = Path.of(entry);
                if (Files.isDirectory(p) && prop.equals("jdk.module.path")) {
                    try (DirectoryStream<Path> jars = Files.newDirectoryStream(p, "*openblas*.jar")) {
                        for (Path jar : jars) {
                            Source s = fromPath(jar, resource);
                            if (s != null) return s;
                        }
                    } catch (IOException ignored) {
                        // unreadable folder: keep looking
                    }
                }
                Source s = fromPath(p, resource);
                if (s != null) return s;
            }
        }
        return null;
    }

    private static Source fromUrl(URL url, String resource) {
        try {
            switch (url.getProtocol()) {
                case "jar" -> {
                    URL jarUrl = ((JarURLConnection) url.openConnection()).getJarFileURL();
                    if ("file".equals(jarUrl.getProtocol())) return fromPath(Path.of(jarUrl.toURI()), resource);
                }
                case "file" -> {
                    Path file = Path.of(url.toURI());
                    // Strip the resource name to get the root folder of an exploded jar.
                    Path root = file;
                    for (int i = resource.split("/").length; i > 0 && root != null; i--) root = root.getParent();
                    if (root != null) return fromPath(root, resource);
                }
                default -> { }
            }
            // Anything else (a jar inside a jar, a custom loader): read through the URL.
            return new UrlSource(url, resource);
        } catch (IOException | URISyntaxException | IllegalArgumentException | ClassCastException e) {
            return null;
        }
    }

    private static Source fromPath(Path p, String resource) {
        try {
            if (Files.isDirectory(p)) {
                return Files.isRegularFile(p.resolve(resource)) ? new DirSource(p) : null;
            }
            if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar")) {
                ZipFile zip = new ZipFile(p.toFile());
                if (zip.getEntry(resource) != null) return new ZipSource(p, zip);
                zip.close();
            }
        } catch (IOException | SecurityException ignored) {
            // not a usable entry
        }
        return null;
    }

    /** A jar or folder holding the libraries. */
    private interface Source extends AutoCloseable {
        /** A short fingerprint of the named resource (size and CRC, or a content hash); null when absent. */
        String fingerprint(String name) throws IOException;

        /** The size in bytes, or -1 when unknown. */
        long size(String name) throws IOException;

        InputStream open(String name) throws IOException;

        String describe();

        /** OpenBLAS version from the jar's Maven metadata, e.g. {@code 0.3.31-1.5.13}. */
        default String version() {
            try (InputStream in = open(POM_PROPERTIES)) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "").replaceAll("[^A-Za-z0-9._-]", "");
                return v.isEmpty() ? "unknown" : v;
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }

        @Override
        default void close() throws IOException {}
    }

    private record ZipSource(Path jar, ZipFile zip) implements Source {
        @Override
        public String fingerprint(String name) {
            ZipEntry e = zip.getEntry(name);
            return e == null ? null : e.getSize() + ":" + Long.toHexString(e.getCrc());
        }

        @Override
        public long size(String name) {
            ZipEntry e = zip.getEntry(name);
            return e == null ? -1 : e.getSize();
        }

        @Override
        public InputStream open(String name) throws IOException {
            ZipEntry e = zip.getEntry(name);
            if (e == null) throw new IOException(jar + " has no entry " + name);
            return zip.getInputStream(e);
        }

        @Override
        public String describe() {
            return jar.toString();
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }

    private record DirSource(Path root) implements Source {
        @Override
        public String fingerprint(String name) throws IOException {
            Path p = root.resolve(name);
            if (!Files.isRegularFile(p)) return null;
            return Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis();
        }

        @Override
        public long size(String name) throws IOException {
            Path p = root.resolve(name);
            return Files.isRegularFile(p) ? Files.size(p) : -1;
        }

        @Override
        public InputStream open(String name) throws IOException {
            return Files.newInputStream(root.resolve(name));
        }

        @Override
        public String describe() {
            return root.toString();
        }
    }

    /** Resources reachable only through a URL: fingerprinted by content, which costs one read. */
    private static final class UrlSource implements Source {
        private final String base;
        private final java.util.Map<String, Long> sizes = new java.util.HashMap<>();

        UrlSource(URL url, String resource) {
            String s = url.toString();
            if (!s.endsWith(resource)) throw new IllegalArgumentException(s);
            this.base = s.substring(0, s.length() - resource.length());
        }

        @Override
        public String fingerprint(String name) throws IOException {
            try (InputStream in = open(name)) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                long n = 0;
                for (int r; (r = in.read(buf)) > 0; n += r) md.update(buf, 0, r);
                sizes.put(name, n);
                return n + ":" + HexFormat.of().formatHex(md.digest());
            } catch (IOException e) {
                return null;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long size(String name) {
            return sizes.getOrDefault(name, -1L);
        }

        @Override
        public InputStream open(String name) throws IOException {
            // jar: URLs are opaque, so the name is appended rather than resolved.
            var c = URI.create(base + name).toURL().openConnection();
            c.setUseCaches(false);
            return c.getInputStream();
        }

        @Override
        public String describe() {
            return base;
        }
    }
}
