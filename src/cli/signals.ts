// Commands whose engine work takes an AbortSignal (build, logs -f, events) turn
// SIGINT/SIGTERM into an abort: the engine ends its work cleanly, the command
// then exits as the shell expects (128 + the signal number).

export interface SignalAbort {
  signal: AbortSignal;
  /** The signal that aborted, once one did. */
  received(): NodeJS.Signals | undefined;
  /** Stop listening. */
  dispose(): void;
}

export function abortOnSignals(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): SignalAbort {
  const ac = new AbortController();
  let got: NodeJS.Signals | undefined;
  const on = (sig: NodeJS.Signals) => { got ??= sig; ac.abort(new Error(`interrupted (${sig})`)); };
  for (const s of signals) process.on(s, on);
  return {
    signal: ac.signal,
    received: () => got,
    dispose: () => { for (const s of signals) process.off(s, on); },
  };
}

/** 128 + N, as a shell reports a process ended by signal N. */
export function signalExitCode(sig: NodeJS.Signals): number {
  return sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : sig === 'SIGHUP' ? 129 : 125;
}
