/**
 * Disposable bags with two lifetimes (after rust-analyzer's extension vs. client cleanups): the
 * extension's, which ends at deactivation, and the live source's (the open store, its listeners, later a
 * running receiver), which ends when its settings change or it is stopped, without touching the other.
 */
import type * as vscode from 'vscode';

/** Disposes what was added, newest first; one failing dispose does not stop the others. */
export class DisposableBag implements vscode.Disposable {
  private items: vscode.Disposable[] = [];
  private disposed = false;

  constructor(private readonly onError: (e: unknown) => void = () => undefined) {}

  /** Adds `d` and returns it; disposes it at once if the bag is already disposed. */
  add<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) this.safeDispose(d);
    else this.items.push(d);
    return d;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items;
    this.items = [];
    for (let i = items.length - 1; i >= 0; i--) this.safeDispose(items[i]);
  }

  private safeDispose(d: vscode.Disposable): void {
    try {
      d.dispose();
    } catch (e) {
      this.onError(e);
    }
  }
}

/** The extension's bag plus a replaceable bag for the live source. */
export class Lifetimes implements vscode.Disposable {
  readonly extension: DisposableBag;
  private sourceBag: DisposableBag;

  constructor(private readonly onError: (e: unknown) => void = () => undefined) {
    this.extension = new DisposableBag(onError);
    this.sourceBag = new DisposableBag(onError);
  }

  /** The current live source's bag. */
  get source(): DisposableBag {
    return this.sourceBag;
  }

  /** Ends the live source's lifetime (disposing its bag) and starts a fresh one. */
  endSource(): void {
    const old = this.sourceBag;
    this.sourceBag = new DisposableBag(this.onError);
    old.dispose();
  }

  dispose(): void {
    this.sourceBag.dispose();
    this.extension.dispose();
  }
}
