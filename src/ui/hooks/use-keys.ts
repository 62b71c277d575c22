import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';
import { decodeKey, isKeyboardReply, type KeyboardProtocol, type KeyName, createInputSplitter, type MouseEvent } from '../../viewmodel/index.js';

/** A key in kitty's own form (`CSI code ; modifiers u`): only a terminal in that protocol sends one. */
// eslint-disable-next-line no-control-regex
const KITTY_FORM = /^\x1b\[\d+(?:[;:][\d:]*)*u$/;

/**
 * Calls `onKey(name, raw)` for every key press and `onMouse(event)` for every mouse report.
 * Ink hands over escape sequences one by one but runs of plain characters (fast typing,
 * `tmux send-keys abc`) as one string; reports may come glued to keys. The input is split
 * into reports and single keys here, so no byte of a report ever reaches key handling (a
 * click while the filter is typed inserts nothing). Reports of no use (motion) are dropped.
 * The terminal's answer to the keyboard-protocol query (and any key in kitty's form) calls
 * `onKeyboard('kitty')` instead of being a key: from then on Enter is not Ctrl+M. (Ink 6's
 * input parser hands such a `CSI … u` sequence over whole, `u` being a CSI final byte; the
 * splitter keeps it one key, and `decodeKey` names it.)
 */
export function useKeys(onKey: (key: KeyName, raw: string) => void, onMouse?: (event: MouseEvent) => void, onKeyboard?: (p: KeyboardProtocol) => void): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const handler = useRef(onKey);
  handler.current = onKey;
  const mouseHandler = useRef(onMouse);
  mouseHandler.current = onMouse;
  const keyboardHandler = useRef(onKeyboard);
  keyboardHandler.current = onKeyboard;
  useEffect(() => {
    if (isRawModeSupported) setRawMode(true);
    const split = createInputSplitter();
    const onInput = (data: string) => {
      for (const piece of split(data)) {
        if (piece.kind === 'mouse') {
          if (piece.event) mouseHandler.current?.(piece.event);
          continue;
        }
        if (isKeyboardReply(piece.raw)) {
          keyboardHandler.current?.('kitty');
          continue;
        }
        if (KITTY_FORM.test(piece.raw)) keyboardHandler.current?.('kitty');
        handler.current(decodeKey(piece.raw), piece.raw);
      }
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
      if (isRawModeSupported) setRawMode(false);
    };
  }, [events, setRawMode, isRawModeSupported]);
}
