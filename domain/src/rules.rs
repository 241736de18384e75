//! A stream's state, folded from its events, and the rules a proposed event must pass against it.
//!
//! Rules common to every kind live here (a stream opens with exactly one opening event, and only
//! holds its own kind's types); the rest live beside each kind's events.

use crate::errors::RuleBreach;
use crate::events::beneficiary::BeneficiaryState;
use crate::events::disbursement::DisbursementState;
use crate::events::fund::FundState;
use crate::events::suggestion::SuggestionState;
use crate::events::volunteer::VolunteerState;
use crate::events::{DisbursementEvent, Event, FundEvent};
use crate::stream::{StreamKind, StreamName};

/// The state of one stream.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamState {
    /// No event yet: only the kind's opening event may come.
    New(StreamKind),
    /// An opened beneficiary stream.
    Beneficiary(BeneficiaryState),
    /// An opened disbursement stream.
    Disbursement(DisbursementState),
    /// An opened fund stream.
    Fund(FundState),
    /// An opened volunteer stream.
    Volunteer(VolunteerState),
    /// An opened activity stream.
    Activity,
    /// An opened suggestion stream.
    Suggestion(SuggestionState),
    /// A closed report (nothing follows its one event).
    Report,
}

impl StreamState {
    /// The state of a stream of `kind` that has no events.
    pub fn new(kind: StreamKind) -> Self {
        StreamState::New(kind)
    }

    /// The stream's kind.
    pub fn kind(&self) -> StreamKind {
        match self {
            StreamState::New(kind) => *kind,
            StreamState::Beneficiary(_) => StreamKind::Beneficiary,
            StreamState::Disbursement(_) => StreamKind::Disbursement,
            StreamState::Fund(_) => StreamKind::Fund,
            StreamState::Volunteer(_) => StreamKind::Volunteer,
            StreamState::Activity => StreamKind::Activity,
            StreamState::Suggestion(_) => StreamKind::Suggestion,
            StreamState::Report => StreamKind::Report,
        }
    }

    /// Whether the stream has its opening event.
    pub fn is_opened(&self) -> bool {
        !matches!(self, StreamState::New(_))
    }

    /// The fund's state, when this is an opened fund stream.
    pub fn as_fund(&self) -> Option<&FundState> {
        match self {
            StreamState::Fund(fund) => Some(fund),
            _ => None,
        }
    }

    /// The subject whose key seals `event`'s personal fields when it joins this stream (`stream`):
    /// the beneficiary for their own events and for disbursements to them, else the stream itself
    /// (a volunteer, a fund, a suggestion). Forgetting a beneficiary destroys that one key.
    pub fn subject_of(&self, stream: &StreamName, event: &Event) -> StreamName {
        match (self, event) {
            (_, Event::Disbursement(DisbursementEvent::DisbursementRequested(e))) => {
                StreamName::new(StreamKind::Beneficiary, e.beneficiary_id)
            }
            (StreamState::Disbursement(state), _) => {
                StreamName::new(StreamKind::Beneficiary, state.beneficiary_id)
            }
            _ => stream.clone(),
        }
    }

    /// Checks whether `event`, appended by `actor`, may join the stream now.
    pub fn decide(&self, event: &Event, actor: &str) -> Result<(), RuleBreach> {
        let event_type = event.event_type();
        if event_type.kind() != self.kind() {
            return Err(RuleBreach::new(
                "event_type_of_stream_kind",
                format!("{event_type} belongs to {} streams, not {} streams", event_type.kind(), self.kind()),
            ));
        }
        match (self, event_type.is_opening()) {
            (StreamState::New(kind), false) => {
                return Err(RuleBreach::new(
                    "stream_opens_first",
                    format!("a {kind} stream starts with its opening event, not {event_type}"),
                ))
            }
            (StreamState::New(_), true) => {
                if let Event::Disbursement(DisbursementEvent::DisbursementRequested(e)) = event {
                    DisbursementState::check_opening(e)?;
                }
                return Ok(());
            }
            (_, true) => {
                return Err(RuleBreach::new(
                    "stream_opened_once",
                    format!("this stream is already opened; {event_type} comes only first"),
                ))
            }
            (_, false) => {}
        }
        match (self, event) {
            (StreamState::Beneficiary(s), Event::Beneficiary(e)) => s.decide(e, actor),
            (StreamState::Disbursement(s), Event::Disbursement(e)) => s.decide(e, actor),
            (StreamState::Fund(s), Event::Fund(e)) => s.decide(e),
            (StreamState::Volunteer(s), Event::Volunteer(e)) => s.decide(e, actor),
            (StreamState::Suggestion(s), Event::Suggestion(e)) => s.decide(e),
            _ => Ok(()),
        }
    }

    /// Folds `event`, appended by `actor`, into the state. Call only with events that passed
    /// [`StreamState::decide`] (or were recorded, and so passed it then).
    pub fn apply(&mut self, event: &Event, actor: &str) {
        if let StreamState::New(_) = self {
            *self = match event {
                Event::Beneficiary(_) => StreamState::Beneficiary(BeneficiaryState::default()),
                Event::Disbursement(DisbursementEvent::DisbursementRequested(e)) => {
                    StreamState::Disbursement(DisbursementState::opened(e, actor))
                }
                Event::Disbursement(_) => return,
                Event::Fund(FundEvent::FundOpened(e)) => StreamState::Fund(FundState::opened(e)),
                Event::Fund(_) => return,
                Event::Volunteer(_) => StreamState::Volunteer(VolunteerState::default()),
                Event::Activity(_) => StreamState::Activity,
                Event::Suggestion(_) => StreamState::Suggestion(SuggestionState::default()),
                Event::Report(_) => StreamState::Report,
            };
            return;
        }
        match (self, event) {
            (StreamState::Beneficiary(s), Event::Beneficiary(e)) => s.apply(e),
            (StreamState::Disbursement(s), Event::Disbursement(e)) => s.apply(e),
            (StreamState::Fund(s), Event::Fund(e)) => s.apply(e),
            (StreamState::Volunteer(s), Event::Volunteer(e)) => s.apply(e, actor),
            (StreamState::Suggestion(s), Event::Suggestion(e)) => s.apply(e),
            _ => {}
        }
    }
}
