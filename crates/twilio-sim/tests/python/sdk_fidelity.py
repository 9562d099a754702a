"""Drives the simulator with the official twilio-python SDK.

Environment: SIM_URL, SIM_ACCOUNT_SID, SIM_AUTH_TOKEN. Prints "OK" and exits 0 when every
check passes; otherwise raises (non-zero exit) with what went wrong.
"""

import json
import os
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

SIM_URL = os.environ["SIM_URL"]
ACCOUNT = os.environ["SIM_ACCOUNT_SID"]
TOKEN = os.environ["SIM_AUTH_TOKEN"]
APP_NUMBER = "+15005550006"

validator = RequestValidator(TOKEN)
received = []  # (path, params)
rejected = []  # paths whose signature did not validate
lock = threading.Lock()


class App(BaseHTTPRequestHandler):
    """A TwiML app that refuses (403) any request without a valid X-Twilio-Signature."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        url = f"http://127.0.0.1:{self.server.server_port}{self.path}"
        if not validator.validate(url, params, self.headers.get("X-Twilio-Signature", "")):
            with lock:
                rejected.append(self.path)
            self.send_response(403)
            self.end_headers()
            return
        with lock:
            received.append((self.path, params))
        payload = {
            "/voice": b"<Response><Say>Hello from Python</Say></Response>",
            "/record": b'<Response><Record action="/recorded" maxLength="30"/></Response>',
            "/recorded": b"<Response><Hangup/></Response>",
        }.get(self.path, b"")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()
        self.wfile.write(payload)


def wait_for(predicate, what, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with lock:
            if predicate():
                return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; received={received} rejected={rejected}")


def hits(path):
    return [p for (h, p) in received if h == path]


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app = f"http://127.0.0.1:{server.server_port}"

    client = Client(ACCOUNT, TOKEN)
    client.api.base_url = SIM_URL

    # A call runs the app (signature validated by the app) and reports its progress.
    call = client.calls.create(
        to="+15005550111",
        from_=APP_NUMBER,
        url=f"{app}/voice",
        status_callback=f"{app}/status",
        status_callback_event=["initiated", "ringing", "answered", "completed"],
    )
    assert call.sid.startswith("CA"), call.sid
    assert call.status in ("queued", "initiated"), call.status
    deadline = time.time() + 30
    while client.calls(call.sid).fetch().status != "completed":
        assert time.time() < deadline, "the call never completed"
        time.sleep(0.05)
    wait_for(lambda: any(p.get("CallStatus") == "completed" for p in hits("/status")), "the completed callback")
    statuses = [p["CallStatus"] for p in hits("/status")]
    assert statuses == ["initiated", "ringing", "in-progress", "completed"], statuses
    assert hits("/voice") and hits("/voice")[0]["CallSid"] == call.sid
    fetched = client.calls(call.sid).fetch()
    assert fetched.duration is not None and int(fetched.duration) >= 0
    assert fetched.date_created is not None and fetched.date_created.year >= 2020, fetched.date_created

    # Listing pages through more calls than fit on a page.
    for n in range(7):
        client.calls.create(to=f"+1500555012{n}", from_=APP_NUMBER, url=f"{app}/voice")
    listed = client.calls.list(page_size=3)
    sids = [c.sid for c in listed]
    assert len(sids) == 8 and len(set(sids)) == 8, sids
    first = client.calls.page(page_size=3)
    second = first.next_page()
    assert second is not None and len(list(second)) == 3

    # A text is delivered and its signed delivery callback arrives.
    message = client.messages.create(
        to="+15005550112", from_=APP_NUMBER, body="Hello from the SDK", status_callback=f"{app}/msg-status"
    )
    assert message.sid.startswith("SM") and message.num_segments == "1", message.num_segments
    wait_for(lambda: any(p.get("MessageStatus") == "delivered" for p in hits("/msg-status")), "the delivered callback")

    # Magic numbers raise TwilioRestException with Twilio's codes.
    try:
        client.calls.create(to="+15005550001", from_=APP_NUMBER, url=f"{app}/voice")
        raise AssertionError("no exception for +15005550001")
    except TwilioRestException as e:
        assert e.code == 21211 and e.status == 400, (e.code, e.status)

    # A recipient who texted STOP cannot be texted (21610).
    client.incoming_phone_numbers.create(phone_number=APP_NUMBER, sms_url=f"{app}/sms")
    request = urllib.request.Request(
        f"{SIM_URL}/sim/messages",
        data=json.dumps({"from": "+15005550113", "to": APP_NUMBER, "body": "STOP"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).read()
    wait_for(lambda: hits("/sms"), "the inbound STOP webhook")
    try:
        client.messages.create(to="+15005550113", from_=APP_NUMBER, body="are you there?")
        raise AssertionError("no exception for an opted-out recipient")
    except TwilioRestException as e:
        assert e.code == 21610, e.code

    # A recording is a resource the SDK reads, with playable WAV and MP3 media.
    recorded_call = client.calls.create(to="+15005550114", from_=APP_NUMBER, url=f"{app}/record")
    wait_for(lambda: hits("/recorded"), "the <Record> action")
    action = hits("/recorded")[0]
    assert action["CallSid"] == recorded_call.sid
    recording = client.recordings(action["RecordingSid"]).fetch()
    assert recording.call_sid == recorded_call.sid and recording.duration == action["RecordingDuration"]
    import io
    import wave

    with urllib.request.urlopen(action["RecordingUrl"] + ".wav") as r:
        with wave.open(io.BytesIO(r.read())) as w:
            seconds = w.getnframes() / w.getframerate()
            assert abs(seconds - int(action["RecordingDuration"])) < 0.01, seconds
    with urllib.request.urlopen(action["RecordingUrl"] + ".mp3") as r:
        mp3 = r.read()
        assert r.headers["Content-Type"] == "audio/mpeg" and mp3[:2] == b"\xff\xf3", mp3[:4]

    # Wrong credentials are refused as Twilio does.
    try:
        bad = Client(ACCOUNT, "not-the-token")
        bad.api.base_url = SIM_URL
        bad.calls(call.sid).fetch()
        raise AssertionError("wrong credentials were accepted")
    except TwilioRestException as e:
        assert e.status == 401 and e.code == 20003, (e.status, e.code)

    assert not rejected, f"requests with invalid signatures: {rejected}"
    server.shutdown()
    print("OK")


if __name__ == "__main__":
    main()
