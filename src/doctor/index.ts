// lwaftrctl doctor: preflight checks of a config against this host, and of the running guest.

export { runGuestChecks } from './checks-guest.js';
export { formatDoctorTable } from './format.js';
export { createHostView, type HostViewOptions, runWithDeadline } from './host-view.js';
export { runDoctor } from './run-doctor.js';
export type * from './types.js';
