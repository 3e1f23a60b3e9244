/**
 * The Node flags the agent runs with (deploy/overcommit-agent.service; bench/agent-overhead runs it the same way).
 *
 * `--single-threaded`: V8 then runs its garbage collector and optimizing compiler on the main thread, inside the
 * tick's own wake-up, instead of waking four helper threads for them. For a daemon that works a few milliseconds a
 * second that is cheaper: measured with 100 fake QMP guests (the built agent, CPU from /proc/PID/stat in 30 s windows
 * after warm-up), ~0.9 % of a core against ~1.3 % without it. A throughput program (the lab) keeps the defaults.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--single-threaded'];

/** Whether this process runs with the agent's flags (else the agent says how to, once, at start). */
export function hasAgentNodeFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return AGENT_NODE_FLAGS.every((f) => execArgv.includes(f));
}
