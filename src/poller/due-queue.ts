// When each idle system is next due, kept so that the poller needs one timer for the earliest
// of them however many systems there are.

interface Slot {
  at: number;
  id: string;
  seq: number;
}

/**
 * A binary min-heap of due times. At most one live time per id: scheduling or cancelling an
 * id only bumps its sequence number, and the stale heap slot is skipped when it surfaces
 * (cheaper than finding and removing it).
 */
export class DueQueue {
  private heap: Slot[] = [];
  private readonly live = new Map<string, number>();
  private seq = 0;

  schedule(id: string, at: number): void {
    const seq = ++this.seq;
    this.live.set(id, seq);
    this.push({ at, id, seq });
    // Repeated re-scheduling leaves stale slots behind; rebuild before they outnumber live ones.
    if (this.heap.length > 2 * this.live.size + 32) this.compact();
  }

  cancel(id: string): void {
    this.live.delete(id);
  }

  /** The earliest live due time, if any. */
  nextAt(): number | undefined {
    this.dropStaleTop();
    return this.heap[0]?.at;
  }

  /** Removes and returns every id due at or before `now`, earliest first. */
  popDue(now: number): string[] {
    const due: string[] = [];
    for (;;) {
      this.dropStaleTop();
      const top = this.heap[0];
      if (top === undefined || top.at > now) return due;
      this.pop();
      this.live.delete(top.id);
      due.push(top.id);
    }
  }

  clear(): void {
    this.heap = [];
    this.live.clear();
  }

  private isLive(slot: Slot): boolean {
    return this.live.get(slot.id) === slot.seq;
  }

  private dropStaleTop(): void {
    while (this.heap.length > 0 && !this.isLive(this.heap[0]!)) this.pop();
  }

  private compact(): void {
    const kept = this.heap.filter((slot) => this.isLive(slot));
    this.heap = [];
    for (const slot of kept) this.push(slot);
  }

  private push(slot: Slot): void {
    const heap = this.heap;
    heap.push(slot);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  }
}

/** Earlier time first; equal times in scheduling order, so ties stay fair. */
function before(a: Slot, b: Slot): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
