/// `GET /demo`: one page that checks a deployment in a minute. It takes the camera and microphone, asks
/// the API for an `echo` or `room` session with its SDP offer, and shows local and remote video with
/// live `getStats()` numbers. `?autostart=1&mode=echo&room=demo` starts it without a click (tests);
/// `window.mediamuxStats` holds the latest numbers.
enum DemoPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>mediamux demo</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
          video { width: 320px; height: 240px; background: #111; margin-right: 1rem; }
          label { margin-right: 1rem; }
          table { border-collapse: collapse; margin-top: 1rem; }
          td { padding: 0.15rem 0.8rem 0.15rem 0; font-variant-numeric: tabular-nums; }
          #status { margin-top: 0.8rem; font-weight: 600; }
        </style>
        </head>
        <body>
        <h1>mediamux demo</h1>
        <p>
          <label>Mode <select id="mode"><option value="echo">echo (see yourself)</option><option value="room">room (call another tab)</option></select></label>
          <label>Room <input id="room" value="demo" size="12"></label>
          <label>API token <input id="token" type="password" size="12" placeholder="if set"></label>
          <button id="start">Start</button> <button id="stop" disabled>Stop</button>
        </p>
        <div><video id="local" autoplay muted playsinline></video><video id="remote" autoplay playsinline></video></div>
        <div id="status">Idle.</div>
        <table id="stats"></table>
        <script>
        const $ = (id) => document.getElementById(id);
        let pc, sessionId, timer;

        function headers() {
          const h = { "Content-Type": "application/json" };
          if ($("token").value) h.Authorization = "Bearer " + $("token").value;
          return h;
        }

        async function start() {
          $("start").disabled = true;
          try {
            const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
            $("local").srcObject = media;
            pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: "max-bundle" });
            media.getTracks().forEach((track) => pc.addTrack(track, media));
            const remote = new MediaStream();
            $("remote").srcObject = remote;
            pc.ontrack = (event) => remote.addTrack(event.track);
            pc.onconnectionstatechange = () => { $("status").textContent = "Connection: " + pc.connectionState; };
            await pc.setLocalDescription(await pc.createOffer());
            const room = encodeURIComponent($("room").value);
            const response = await fetch("/v1/rooms/" + room + "/sessions", {
              method: "POST", headers: headers(),
              body: JSON.stringify({ handler: $("mode").value, offer: pc.localDescription.sdp }),
            });
            const session = await response.json();
            if (!response.ok) throw new Error(session.error ? session.error.message : response.status);
            sessionId = session.id;
            await pc.setRemoteDescription({ type: "answer", sdp: session.answer });
            $("status").textContent = "Session " + sessionId + ": connecting…";
            timer = setInterval(showStats, 1000);
            $("stop").disabled = false;
          } catch (error) {
            $("status").textContent = "Failed: " + error.message;
            window.mediamuxStats = { error: String(error.message || error) };
            $("start").disabled = false;
          }
        }

        // udp or tcp: the protocol of the selected pair's remote candidate (mediamux's). Chromium names the
        // pair in its transport report, Firefox marks it selected.
        function selectedTransport(reports) {
          let pairId;
          reports.forEach((report) => { if (report.type === "transport" && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId; });
          let pair;
          reports.forEach((report) => {
            if (report.type === "candidate-pair" && (report.id === pairId || (!pairId && report.selected))) pair = report;
          });
          const remote = pair && reports.get(pair.remoteCandidateId);
          return remote ? remote.protocol : undefined;
        }

        async function showStats() {
          const stats = { connectionState: pc.connectionState, video: {}, audio: {} };
          (await pc.getStats()).forEach((report) => {
            if (report.type === "inbound-rtp") {
              stats[report.kind].framesDecoded = report.framesDecoded;
              stats[report.kind].packetsReceived = report.packetsReceived;
              stats[report.kind].bytesReceived = report.bytesReceived;
            }
            if (report.type === "outbound-rtp") stats[report.kind].packetsSent = report.packetsSent;
          });
          stats.transport = selectedTransport(await pc.getStats());
          window.mediamuxStats = stats;
          const rows = [["connection", stats.connectionState], ["transport", stats.transport],
            ["video frames decoded", stats.video.framesDecoded], ["video packets in / out", (stats.video.packetsReceived || 0) + " / " + (stats.video.packetsSent || 0)],
            ["audio packets in / out", (stats.audio.packetsReceived || 0) + " / " + (stats.audio.packetsSent || 0)]];
          $("stats").innerHTML = rows.map(([k, v]) => "<tr><td>" + k + "</td><td>" + (v ?? "–") + "</td></tr>").join("");
        }

        async function stop() {
          clearInterval(timer);
          if (pc) pc.close();
          if (sessionId) await fetch("/v1/sessions/" + sessionId, { method: "DELETE", headers: headers() });
          sessionId = undefined;
          $("status").textContent = "Stopped.";
          $("start").disabled = false;
          $("stop").disabled = true;
        }

        $("start").onclick = start;
        $("stop").onclick = stop;
        window.addEventListener("pagehide", () => { if (sessionId) stop(); });
        const query = new URLSearchParams(location.search);
        if (query.get("mode")) $("mode").value = query.get("mode");
        if (query.get("room")) $("room").value = query.get("room");
        if (query.get("token")) $("token").value = query.get("token");
        if (query.get("autostart")) start();
        </script>
        </body>
        </html>
        """
}
