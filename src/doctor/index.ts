// lwaftrctl doctor: preflight checks of a config against this host, and of the running guest.
export { runDoctor } from './run-doctor.js';
export { runGuestChecks } from './checks-guest.js';
export { createHostView, runWithDeadline, type HostViewOptions } from './host-view.js';
export { formatDoctorTable } from './format.js';
export type * from './types.js';
