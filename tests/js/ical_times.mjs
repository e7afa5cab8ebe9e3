// Reads an iCalendar file on stdin and prints, as JSON, each VEVENT's UID, SEQUENCE, STATUS and
// its start and end in UTC as Mozilla's ical.js (Thunderbird's parser) understands them, using the
// file's own VTIMEZONE.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

// Only the zones the file carries: a client must not need to know the zone by name.
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}

const utc = (time) => time.toJSDate().toISOString().replace(".000Z", "Z");
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    tzid: component.getFirstProperty("dtstart").getParameter("tzid") ?? null,
    start: utc(event.startDate),
    end: utc(event.endDate),
  };
});
process.stdout.write(JSON.stringify(events) + "\n");
