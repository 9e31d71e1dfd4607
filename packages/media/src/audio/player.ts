/**
 * Plays audio into a leg as 20 ms frames: queued prompts (in order) over an optional looping background
 * (music on hold). A prompt interrupts the background, which resumes where it was once the prompts are
 * done. Pure: the caller pulls one frame per tick.
 */

const FRAME = 160;

export interface PlayItem {
  /** Reported back in `onDone`. */
  readonly id: string;
  readonly pcm: Int16Array;
  /** Loop until stopped (the background); otherwise play once as a prompt. */
  readonly loop?: boolean;
}

interface Cursor {
  item: PlayItem;
  position: number;
}

export class Player {
  readonly #prompts: Cursor[] = [];
  #background: Cursor | undefined;
  readonly #onDone: (id: string, reason: 'finished' | 'stopped') => void;

  constructor(onDone: (id: string, reason: 'finished' | 'stopped') => void = () => {}) {
    this.#onDone = onDone;
  }

  play(item: PlayItem): void {
    if (item.loop) {
      if (this.#background) this.#onDone(this.#background.item.id, 'stopped');
      this.#background = { item, position: 0 };
    } else {
      this.#prompts.push({ item, position: 0 });
    }
  }

  /** Stops everything, or only the item with this id. */
  stop(id?: string): void {
    for (let i = this.#prompts.length - 1; i >= 0; i--) {
      const c = this.#prompts[i]!;
      if (id === undefined || c.item.id === id) {
        this.#prompts.splice(i, 1);
        this.#onDone(c.item.id, 'stopped');
      }
    }
    if (this.#background && (id === undefined || this.#background.item.id === id)) {
      this.#onDone(this.#background.item.id, 'stopped');
      this.#background = undefined;
    }
  }

  get active(): boolean {
    return this.#prompts.length > 0 || this.#background !== undefined;
  }

  /** The next 20 ms frame, or undefined when nothing is playing. */
  next(): Int16Array | undefined {
    const prompt = this.#prompts[0];
    if (prompt) {
      const { pcm } = prompt.item;
      const frame = new Int16Array(FRAME);
      const end = Math.min(pcm.length, prompt.position + FRAME);
      frame.set(pcm.subarray(prompt.position, end));
      prompt.position = end;
      if (prompt.position >= pcm.length) {
        this.#prompts.shift();
        this.#onDone(prompt.item.id, 'finished');
      }
      return frame;
    }
    const bg = this.#background;
    if (!bg) return undefined;
    const { pcm } = bg.item;
    const frame = new Int16Array(FRAME);
    if (pcm.length === 0) return frame;
    for (let filled = 0; filled < FRAME; ) {
      const take = Math.min(FRAME - filled, pcm.length - bg.position);
      frame.set(pcm.subarray(bg.position, bg.position + take), filled);
      filled += take;
      bg.position = (bg.position + take) % pcm.length;
    }
    return frame;
  }
}
