export { main } from './cli/main.js';
export { version } from './version.js';
