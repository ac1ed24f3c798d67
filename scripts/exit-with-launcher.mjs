// Preloaded (`node --import`) into every child of scripts/start.mjs. The children run in their own process groups,
// so nothing reaches them when the launcher is SIGKILLed or dies with its terminal. The launcher holds an IPC
// channel to each child; the operating system closes it when the launcher dies, however it dies. The child then
// stops as on SIGTERM (its own graceful shutdown), and exits anyway once STOP_GRACE_MS has passed.
if (process.channel) {
  // The channel alone must not keep a child alive that has finished its work.
  process.channel.unref();
  process.once('disconnect', () => {
    const graceMs = Number(process.env.STOP_GRACE_MS) || 20_000;
    setTimeout(() => process.exit(1), graceMs).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}
