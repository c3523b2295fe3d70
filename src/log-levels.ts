// pino's level names, apart from pino itself: the CLI's --log-level choices, which every command
// parses and most never log with (importing pino for them cost `check` a few percent of its run).
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
