import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';
import { decodeKey, type KeyName } from '../../viewmodel/keys.js';
import { createInputSplitter, type MouseEvent } from '../../viewmodel/mouse.js';

/**
 * Calls `onKey(name, raw)` for every key press and `onMouse(event)` for every mouse report.
 * Ink hands over escape sequences one by one but runs of plain characters (fast typing,
 * `tmux send-keys abc`) as one string; reports may come glued to keys. The input is split
 * into reports and single keys here, so no byte of a report ever reaches key handling (a
 * click while the filter is typed inserts nothing). Reports of no use (motion) are dropped.
 */
export function useKeys(onKey: (key: KeyName, raw: string) => void, onMouse?: (event: MouseEvent) => void): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const handler = useRef(onKey);
  handler.current = onKey;
  const mouseHandler = useRef(onMouse);
  mouseHandler.current = onMouse;
  useEffect(() => {
    if (isRawModeSupported) setRawMode(true);
    const split = createInputSplitter();
    const onInput = (data: string) => {
      for (const piece of split(data)) {
        if (piece.kind === 'mouse') {
          if (piece.event) mouseHandler.current?.(piece.event);
        } else handler.current(decodeKey(piece.raw), piece.raw);
      }
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
      if (isRawModeSupported) setRawMode(false);
    };
  }, [events, setRawMode, isRawModeSupported]);
}
