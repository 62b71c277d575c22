import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';
import { decodeKey, type KeyName } from '../../viewmodel/keys.js';

/**
 * Calls `onKey(name, raw)` for every key press. Ink hands over escape sequences one by one but
 * runs of plain characters (fast typing, `tmux send-keys abc`) as one string: those are split
 * into single characters here.
 */
export function useKeys(onKey: (key: KeyName, raw: string) => void): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const handler = useRef(onKey);
  handler.current = onKey;
  useEffect(() => {
    if (isRawModeSupported) setRawMode(true);
    const onInput = (data: string) => {
      if (data.startsWith('\x1b')) handler.current(decodeKey(data), data);
      else for (const ch of data) handler.current(decodeKey(ch), ch);
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
      if (isRawModeSupported) setRawMode(false);
    };
  }, [events, setRawMode, isRawModeSupported]);
}
