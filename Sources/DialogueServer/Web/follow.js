// Shared by the investor page and the officer console: keeps a conversation log scrolled to
// its end while the reader is there.
//
// Whether the reader is at the end is a layout read. Read once per inserted event, it forced
// a layout of the whole log for each one: quadratic in the log's length, so a long history
// after a reconnect, or a busy meeting, froze the page. Here the layout is read at most once
// per animation frame, before that frame's first insertion, however fast events arrive.

/** How close to the end (CSS pixels) still counts as reading the latest messages. */
const NEAR_END = 80;

export class LogFollower {
  /** `log`: the scrolling element; `onUnseen()`: new events arrived below the reader. */
  constructor(log, onUnseen) {
    this.log = log;
    this.onUnseen = onUnseen;
    this.frame = null;
  }

  /** Whether the reader is at (or near) the end of the log. */
  atEnd() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < NEAR_END;
  }

  /** Call just before inserting an event's element; `mine`: the reader's own, always shown. */
  willAdd(mine = false) {
    if (!this.frame) {
      this.frame = { stick: this.atEnd(), mine: false };
      requestAnimationFrame(() => this.settle());
    }
    if (mine) this.frame.mine = true;
  }

  /** Scrolls to the end now (the reader asked, or sent something). */
  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  settle() {
    const frame = this.frame;
    this.frame = null;
    if (!frame) return;
    if (frame.stick || frame.mine) this.scrollToEnd();
    else this.onUnseen();
  }
}
