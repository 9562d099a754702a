//! Voice webhooks: the call request, status callbacks and verb actions.

use super::fields::webhook_params;
use crate::resources::{AnsweredBy, CallDirection, CallStatus, DialCallStatus};

webhook_params! {
    /// The request to a number's voice URL (and to `<Redirect>` / `<Gather>` URLs).
    VoiceRequest {
        call_sid: String = "CallSid",
        account_sid: String = "AccountSid",
        from: String = "From",
        to: String = "To",
        call_status: CallStatus = "CallStatus",
        direction: Option<CallDirection> = "Direction",
        api_version: Option<String> = "ApiVersion",
        forwarded_from: Option<String> = "ForwardedFrom",
        caller_name: Option<String> = "CallerName",
        parent_call_sid: Option<String> = "ParentCallSid",
        digits: Option<String> = "Digits",
        speech_result: Option<String> = "SpeechResult",
        answered_by: Option<AnsweredBy> = "AnsweredBy",
    }
}

webhook_params! {
    /// A call's `StatusCallback` (events `initiated ringing answered completed`), also the
    /// asynchronous answering-machine-detection callback.
    CallStatusCallback {
        call_sid: String = "CallSid",
        account_sid: String = "AccountSid",
        from: String = "From",
        to: String = "To",
        call_status: CallStatus = "CallStatus",
        direction: Option<CallDirection> = "Direction",
        api_version: Option<String> = "ApiVersion",
        parent_call_sid: Option<String> = "ParentCallSid",
        /// Seconds; on the final event.
        call_duration: Option<u32> = "CallDuration",
        /// Orders the callbacks of one call, from 0.
        sequence_number: Option<u32> = "SequenceNumber",
        /// RFC 2822.
        timestamp: Option<String> = "Timestamp",
        /// `call-progress-events`.
        callback_source: Option<String> = "CallbackSource",
        answered_by: Option<AnsweredBy> = "AnsweredBy",
        machine_detection_duration: Option<u32> = "MachineDetectionDuration",
        /// Billable minutes, rounded up.
        duration: Option<u32> = "Duration",
        sip_response_code: Option<u32> = "SipResponseCode",
        recording_url: Option<String> = "RecordingUrl",
        recording_sid: Option<String> = "RecordingSid",
        recording_duration: Option<u32> = "RecordingDuration",
    }
}

webhook_params! {
    /// The request to `<Dial action>` when the dialled leg ends.
    DialAction {
        call_sid: String = "CallSid",
        account_sid: String = "AccountSid",
        from: Option<String> = "From",
        to: Option<String> = "To",
        call_status: Option<CallStatus> = "CallStatus",
        dial_call_status: DialCallStatus = "DialCallStatus",
        dial_call_sid: Option<String> = "DialCallSid",
        dial_call_duration: Option<u32> = "DialCallDuration",
        dial_bridged: Option<bool> = "DialBridged",
        recording_url: Option<String> = "RecordingUrl",
        recording_sid: Option<String> = "RecordingSid",
        recording_duration: Option<u32> = "RecordingDuration",
    }
}

webhook_params! {
    /// The request to `<Gather action>`.
    GatherAction {
        call_sid: String = "CallSid",
        account_sid: String = "AccountSid",
        from: Option<String> = "From",
        to: Option<String> = "To",
        call_status: Option<CallStatus> = "CallStatus",
        digits: Option<String> = "Digits",
        speech_result: Option<String> = "SpeechResult",
        /// 0.0 to 1.0.
        confidence: Option<f64> = "Confidence",
        finished_on_key: Option<String> = "FinishedOnKey",
    }
}

webhook_params! {
    /// The request to `<Record action>` when recording stops.
    RecordAction {
        call_sid: String = "CallSid",
        account_sid: String = "AccountSid",
        from: Option<String> = "From",
        to: Option<String> = "To",
        call_status: Option<CallStatus> = "CallStatus",
        recording_url: String = "RecordingUrl",
        recording_sid: String = "RecordingSid",
        recording_duration: Option<u32> = "RecordingDuration",
        /// The key that ended the recording, or `hangup`.
        digits: Option<String> = "Digits",
    }
}

webhook_params! {
    /// A `recordingStatusCallback`.
    RecordingStatus {
        account_sid: String = "AccountSid",
        call_sid: String = "CallSid",
        recording_sid: String = "RecordingSid",
        recording_url: String = "RecordingUrl",
        /// `in-progress`, `completed`, `absent` or `failed`.
        recording_status: String = "RecordingStatus",
        recording_duration: Option<u32> = "RecordingDuration",
        recording_channels: Option<u32> = "RecordingChannels",
        recording_source: Option<String> = "RecordingSource",
        recording_start_time: Option<String> = "RecordingStartTime",
        error_code: Option<u32> = "ErrorCode",
    }
}

webhook_params! {
    /// A `transcribeCallback`.
    Transcription {
        account_sid: String = "AccountSid",
        call_sid: String = "CallSid",
        transcription_sid: String = "TranscriptionSid",
        /// Absent when transcription failed.
        transcription_text: Option<String> = "TranscriptionText",
        /// `completed` or `failed`.
        transcription_status: String = "TranscriptionStatus",
        transcription_url: Option<String> = "TranscriptionUrl",
        recording_sid: String = "RecordingSid",
        recording_url: Option<String> = "RecordingUrl",
    }
}
