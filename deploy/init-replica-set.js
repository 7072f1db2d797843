// Makes the three mongod nodes the replica set rs0, once: run again (every `docker compose up`
// does), it finds the set initiated and only waits for a primary. The members are named as
// the app's MONGODB_URL names them, so clients find every node.
const config = {
  _id: "rs0",
  members: [
    { _id: 0, host: "mongo1:27017", priority: 2 },
    { _id: 1, host: "mongo2:27018" },
    { _id: 2, host: "mongo3:27019" },
  ],
};

try {
  const status = rs.status();
  print(`Replica set ${status.set} is already initiated.`);
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  rs.initiate(config);
  print("Replica set rs0 initiated.");
}

for (let second = 0; second < 120; second += 1) {
  const hello = db.hello();
  if (hello.primary) {
    print(`Primary: ${hello.primary}.`);
    quit(0);
  }
  sleep(1000);
}
print("No primary was elected within two minutes.");
quit(1);
