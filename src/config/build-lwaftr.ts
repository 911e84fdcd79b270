// The lwaftr section: the built-in `snabb lwaftr run --virtio` or the operator's own scripts.
import path from 'node:path';
import { hostPathIn, parseGuestPath, parseInteger, parseWord, parseYesNo } from './parse-values.js';
import type { Settings } from './settings.js';
import type { LwaftrCommand, LwaftrConfig } from './types.js';

/** Where the guest image mounts the 9p share, as the bash tool's guests did. */
export const GUEST_SHARE_MOUNT = '/mnt/host';

export function buildLwaftr(s: Settings, name: string, snabbPath: string | undefined): LwaftrConfig | undefined {
  const snabbGuestPath = s.optional('SNABB_GUEST_PATH', parseGuestPath) ?? guestPathOfShare(s, snabbPath);
  const conf = s.optional('LWAFTR_CONF', parseGuestPath);
  let command: LwaftrCommand;
  if (conf) {
    if (!snabbGuestPath)
      s.problem(
        'LWAFTR_CONF',
        'the built-in lwAFTR command needs snabb in the guest: set SNABB_GUEST_PATH, or SHARED_LOCATION to a folder ' +
          'holding SNABB_PATH',
      );
    const cpu = s.optional('LWAFTR_CPU', (v) => parseInteger(v, 0, 4095));
    command = { kind: 'builtin', conf, name: s.value('LWAFTR_NAME', parseWord), cpu };
  } else {
    command = {
      kind: 'script',
      start: s.value('LWAFTR_START', parseGuestPath),
      stop: s.optional('LWAFTR_STOP', parseGuestPath),
    };
  }
  return {
    command,
    snabbGuestPath,
    resetVirtio: s.value('LWAFTR_RESET_VIRTIO', parseYesNo),
    guestStateDir: `/tmp/lwaftrctl-${name}`,
  };
}

/** SNABB_PATH seen from the guest, when it lies inside the shared folder. */
function guestPathOfShare(s: Settings, snabbPath: string | undefined): string | undefined {
  const share = s.optional('SHARED_LOCATION', hostPathIn(path.dirname(s.ctx.file)));
  if (!share || !snabbPath || !(snabbPath === share || snabbPath.startsWith(`${share}/`))) return undefined;
  return path.posix.join(GUEST_SHARE_MOUNT, path.relative(share, snabbPath), 'src');
}
