import assert from 'node:assert/strict';
import { defaultStoreDir } from '../../src/sources/paths';

describe('defaultStoreDir', () => {
  it('follows XDG on Linux, ignoring a relative XDG_DATA_HOME', () => {
    assert.equal(defaultStoreDir({ XDG_DATA_HOME: '/data/me' }, 'linux', '/home/me'), '/data/me/trace-insight/store');
    assert.equal(defaultStoreDir({}, 'linux', '/home/me'), '/home/me/.local/share/trace-insight/store');
    assert.equal(defaultStoreDir({ XDG_DATA_HOME: 'rel/dir' }, 'linux', '/home/me'), '/home/me/.local/share/trace-insight/store');
  });

  it('uses Application Support on macOS and LOCALAPPDATA on Windows', () => {
    assert.equal(defaultStoreDir({ XDG_DATA_HOME: '/x' }, 'darwin', '/Users/me'), '/Users/me/Library/Application Support/trace-insight/store');
    assert.equal(defaultStoreDir({ LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'win32', 'C:\\Users\\me'), 'C:\\Users\\me\\AppData\\Local\\trace-insight\\store');
    assert.equal(defaultStoreDir({}, 'win32', 'C:\\Users\\me'), 'C:\\Users\\me\\AppData\\Local\\trace-insight\\store');
  });
});
