/** The node's version, shown by `version`, the node info page and logs. */
export const VERSION = "0.1.0";
