/** Opens once every party has arrived (ready, or failed): a window that starts for all at once. */
export function barrier(count) {
  const arrived = new Set();
  let open;
  const opened = new Promise((resolve) => {
    open = resolve;
  });
  return {
    arrive(party) {
      arrived.add(party);
      if (arrived.size >= count) open();
      return opened;
    },
  };
}
