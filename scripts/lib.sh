# Shared by the scripts: finds a JDK 25+ and installs missing system packages.

# Sets JAVA_HOME and PATH to a JDK 25 or newer: JAVA_HOME if it is one, else one under /usr/lib/jvm.
find_jdk() {
  local v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then export PATH="$JAVA_HOME/bin:$PATH"; return 0; fi
  fi
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] || continue
    v=$("$d/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$d" PATH="$d/bin:$PATH"
      return 0
    fi
  done
  echo "panagrad: no JDK 25 found (JAVA_HOME or /usr/lib/jvm); install Temurin 25 or set JAVA_HOME" >&2
  return 1
}

# Installs the given Debian packages if any is missing (needs root or sudo).
ensure_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
  echo "panagrad: installing ${missing[*]}" >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Ensures Maven is present; quiets the warnings Maven's own libraries trigger on JDK 25.
ensure_maven() {
  command -v mvn >/dev/null || ensure_packages maven
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

# OpenBLAS obeys OPENBLAS_CORETYPE over its own CPU detection; some machines set it to an older core.
# The training and benchmark scripts drop it (and the matching OPENBLAS_L2_SIZE) so that OpenBLAS uses the
# kernels for the CPU it runs on; the test suite keeps the environment as it is.
use_detected_blas_core() {
  unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
}

# Builds the library and the module src/$1 (cli, djl) when a source changed since the last build, and
# sets MODULE_CP to the class path that runs the module's programs.
build_module() {
  local m=$1 stamp=src/$1/target/.build
  if [ ! -f "$stamp" ] || [ -n "$(find pom.xml src/core/pom.xml src/core/main "src/$m/pom.xml" "src/$m/main" bindings -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    echo "panagrad: building the library and src/$m (mvn package, about 20 s the first time)..." >&2
    mvn -q -B -ntp -DskipTests -pl "src/$m" -am package dependency:build-classpath \
      -DincludeScope=runtime -Dmdep.outputFile=target/classpath.txt >&2
    touch "$stamp"
  fi
  MODULE_CP="src/$m/target/classes:$(cat "src/$m/target/classpath.txt")"
}

# Runs a main class on MODULE_CP with the flags the library needs; JAVA_OPTS adds JVM options.
run_main() {
  local main=$1; shift
  # shellcheck disable=SC2086 # JAVA_OPTS holds several options
  exec java ${JAVA_OPTS:-} --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$MODULE_CP" "$main" "$@"
}

# Makes sure Fashion-MNIST is in /usr/share/datasets/fashion-mnist (the package dataset-fashion-mnist),
# unless the arguments name another folder (--data) or ask for --help; explains the way out when it cannot.
ensure_fashion_mnist() {
  local dir=/usr/share/datasets/fashion-mnist a
  for a in "$@"; do
    case "$a" in --data|--data=*|--help) return 0 ;; esac
  done
  ls "$dir"/t10k-labels-idx1-ubyte* >/dev/null 2>&1 && return 0
  ensure_packages dataset-fashion-mnist && return 0
  cat >&2 <<MSG
panagrad: Fashion-MNIST is not in $dir and the package dataset-fashion-mnist could not be installed.
Either install it:
    sudo apt-get install dataset-fashion-mnist
or put the four MNIST-format files
    train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz
(from https://github.com/zalandoresearch/fashion-mnist, folder data/fashion) in a folder DIR and pass --data DIR
MSG
  return 1
}
