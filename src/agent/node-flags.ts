/**
 * The Node flags the agent runs with (deploy/overcommit-agent.service; bench/agent-overhead runs it the same way).
 *
 * `--single-threaded`: V8 then runs its garbage collector and optimizing compiler on the main thread, inside the
 * tick's own wake-up, instead of waking four helper threads for them. For a daemon that works a few milliseconds a
 * second that is cheaper: measured with 100 fake QMP guests (the built agent, CPU from /proc/PID/stat in 30 s windows
 * after warm-up), ~0.9 % of a core against ~1.3 % without it. A throughput program (the lab) keeps the defaults.
 */
/*
 * `--min-semi-space-size=8` (MiB): V8 shrinks the young generation of a process that allocates little to its floor,
 * and the agent (~1 MB of short-lived objects a second at 100 guests) then scavenged 1-2 times every tick, promoting
 * the objects of a tick in flight to the old generation, which then needed mark-compacts (--trace-gc over 240 s; a perf
 * profile put 24 % of the agent's CPU in the collector). With 8 MiB it scavenges every ~11 s and, after the first 30 s,
 * never mark-compacts. It costs at most 16 MiB of RSS (two semi-spaces). In CPU it is within this VM's noise
 * (bench/agent-side-by-side.sh, 100 guests, two agents each way: 0.30 / 0.29 % with it, 0.33 / 0.30 % without).
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--single-threaded', '--min-semi-space-size=8'];

/** Whether this process runs with the agent's flags (else the agent says how to, once, at start). */
export function hasAgentNodeFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return AGENT_NODE_FLAGS.every((f) => execArgv.includes(f));
}
