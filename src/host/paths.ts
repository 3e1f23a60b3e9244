/**
 * Where the kernel's interfaces live. Production uses the real roots; unit tests point these at fixture trees
 * captured from a real kernel, so the same I/O code runs against both.
 */
export interface HostPaths {
  sys: string;
  proc: string;
  dev: string;
  /** The cgroup filesystem mount root (v2 unified root, or the tmpfs holding v1 controller mounts). */
  cgroupFs: string;
}

export const REAL_PATHS: HostPaths = Object.freeze({
  sys: '/sys',
  proc: '/proc',
  dev: '/dev',
  cgroupFs: '/sys/fs/cgroup',
});
