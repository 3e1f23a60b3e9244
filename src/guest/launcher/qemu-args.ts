import {
  GUEST_CONTROL_PORT,
  GUEST_IPERF3_PORT,
  GUEST_MEMCACHED_PORT,
  SCRATCH_SERIAL,
  TOOLS_SERIAL,
} from '../image/init-script.js';

export type Accel = 'kvm' | 'tcg';
export type Service = 'memcached' | 'iperf3';

export interface HostPorts {
  memcached: number;
  iperf3: number;
  control: number;
}

export interface QemuSpec {
  name: string;
  /** Appears in QEMU's command line (-name) so restore can find the process even if its pid was never saved. */
  marker: string;
  memoryBytes: number;
  vcpus: number;
  accel: Accel;
  kernel: string;
  initrd: string;
  services: Service[];
  /** MiB memcached may use (-m); default: what is left after the guest's own needs. */
  memcachedMb: number;
  token: string;
  ports: HostPorts;
  qmpSocket: string;
  serialLog: string;
  pidFile: string;
  /** A raw scratch disk (virtio-blk, serial ovc-scratch, /dev/scratch in the guest) for fio. */
  disk?: string;
  /** The image's read-only tools squashfs (serial ovc-tools, mounted on /opt/tools). */
  tools?: string;
  /**
   * virtio-balloon deflate-on-oom (default on): the guest may take balloon pages back under OOM instead of killing
   * processes. With it the guest keeps ballooned pages in MemTotal (MemAvailable drops); without it MemTotal drops.
   */
  deflateOnOom?: boolean;
  /** virtio-balloon free page reporting (default on): the guest reports freed pages so the host can drop them. */
  freePageReporting?: boolean;
  /** TCG translation cache, MiB (QEMU's default is far larger; 32 saves ~30 MB RSS per guest). */
  tcgTbSizeMb?: number;
}

/** The kernel command line: quiet serial console plus the `ovc.*` parameters the guest's /init reads. */
export function kernelCmdline(s: QemuSpec): string {
  return [
    'console=ttyS0',
    'quiet',
    'panic=-1',
    // no need to probe hardware we do not have: faster boot under TCG
    'tsc=reliable',
    'no_timer_check',
    'i8042.noaux',
    'i8042.nokbd',
    `ovc.services=${s.services.join(',') || 'none'}`,
    `ovc.mcmem=${s.memcachedMb}`,
    `ovc.token=${s.token}`,
  ].join(' ');
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

/** The QEMU argument vector for one guest. Pure. */
export function qemuArgs(s: QemuSpec): string[] {
  const fwd = [
    `hostfwd=tcp:127.0.0.1:${s.ports.control}-:${GUEST_CONTROL_PORT}`,
    `hostfwd=tcp:127.0.0.1:${s.ports.memcached}-:${GUEST_MEMCACHED_PORT}`,
    `hostfwd=tcp:127.0.0.1:${s.ports.iperf3}-:${GUEST_IPERF3_PORT}`,
  ].join(',');
  const accel = s.accel === 'kvm' ? 'kvm' : `tcg${s.tcgTbSizeMb ? `,tb-size=${s.tcgTbSizeMb}` : ''}`;
  const args = [
    '-name',
    `${s.name},process=${s.marker}`,
    '-accel',
    accel, // all accelerator options in one -accel: a second -accel is read as a fallback
    '-machine',
    'q35',
    '-cpu',
    s.accel === 'kvm' ? 'host' : 'max',
    '-m',
    `${Math.floor(s.memoryBytes / (1024 * 1024))}M`,
    '-smp',
    String(s.vcpus),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-serial',
    `file:${s.serialLog}`,
    '-kernel',
    s.kernel,
    '-initrd',
    s.initrd,
    '-append',
    kernelCmdline(s),
    '-device',
    `virtio-balloon-pci,id=balloon0,deflate-on-oom=${onOff(s.deflateOnOom ?? true)},free-page-reporting=${onOff(s.freePageReporting ?? true)}`,
    '-netdev',
    `user,id=net0,${fwd}`,
    '-device',
    'virtio-net-pci,netdev=net0',
    '-qmp',
    `unix:${s.qmpSocket},server=on,wait=off`,
    '-pidfile',
    s.pidFile,
  ];
  if (s.tools) {
    args.push('-drive', `file=${s.tools},format=raw,if=none,id=tools,readonly=on`);
    args.push('-device', `virtio-blk-pci,drive=tools,serial=${TOOLS_SERIAL}`);
  }
  if (s.disk) {
    args.push('-drive', `file=${s.disk},format=raw,if=none,id=scratch,cache=none,aio=threads`);
    args.push('-device', `virtio-blk-pci,drive=scratch,serial=${SCRATCH_SERIAL}`);
  }
  return args;
}
