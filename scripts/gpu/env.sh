# Source this on a GPU machine without a package registry: unpacks the carried .debs/ into a
# private prefix (once; never into /) and puts its libraries on LD_LIBRARY_PATH, so a
# radiofield built there (scripts/gpu/build.sh) — or built there earlier and carried back —
# runs. Sets PREFIX and LIBDIR.
PREFIX=${RADIOFIELD_GPU_PREFIX:-/tmp/radiofield-prefix}
[ -d .debs ] || { echo "no .debs/ folder: run scripts/gpu/fetch-debs.sh on a machine with Debian's archive and carry .debs/ along" >&2; return 2 2>/dev/null || exit 2; }
if [ ! -f "$PREFIX/.unpacked" ]; then
  mkdir -p "$PREFIX"
  for deb in .debs/*.deb; do dpkg -x "$deb" "$PREFIX"; done
  # Debian's CMake configs and symlinks assume /usr; absolute symlinks must point into the prefix.
  find "$PREFIX" -type l | while read -r link; do
    target=$(readlink "$link")
    case "$target" in /*) ln -sfn "$PREFIX$target" "$link" ;; esac
  done
  touch "$PREFIX/.unpacked"
fi
LIBDIR=$PREFIX/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$LIBDIR:$LIBDIR/hdf5/serial${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
