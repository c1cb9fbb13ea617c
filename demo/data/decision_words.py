"""What the manager writes: the rationale, the lived-experience impact, the onward
referrals, the late reason and the feedback to the referrer, by outcome."""

from __future__ import annotations

from referrals.census import ConcernCategory as C
from referrals.models import Outcome as O

THRESHOLD = {
    O.NO_FURTHER_ACTION: 1,
    O.SIGNPOST: 1,
    O.EARLY_HELP: 2,
    O.ASSESSMENT_S17: 3,
    O.STRATEGY_S47: 4,
}
NFA_REASONS = (
    "the incident was a one-off and the parents acted protectively",
    "the injury has a consistent explanation, confirmed by the GP",
    "the support the school already gives is working and the family welcome it",
)
RATIONALE = {
    O.NO_FURTHER_ACTION: "The specific worry has been looked into: {nfa_reason}. Nothing in "
    "the referral or our records suggests that {name}'s needs are unmet or that {name} is at "
    "risk of harm, so the threshold for early help is not met (level 1).",
    O.SIGNPOST: "{name}'s needs can be met by universal services (level 1): {signpost}. The "
    "family agree and know how to ask for more help if things change.",
    O.EARLY_HELP: "{name} has needs that are not being met, but the family want help and "
    "there is no indication of significant harm (level 2). An early help assessment will "
    "bring the professionals together with a lead professional; the family have agreed.",
    O.ASSESSMENT_S17: "{name}'s needs are complex and are not being met by the support already "
    "in place (level 3). A child and family assessment under section 17 will be completed "
    "within 45 working days; the social worker will see {name} alone and hear from {them} "
    "directly.",
    O.STRATEGY_S47: "There is reasonable cause to suspect that {name} is suffering, or is "
    "likely to suffer, significant harm (level 4). A strategy discussion will be held today "
    "with police, health and the referrer to decide whether section 47 enquiries are needed "
    "and how {name} will be kept safe in the meantime.",
    O.OPEN_CASE: "{name} is already open to children's social care with an allocated social "
    "worker (level {level}). The referral has been sent to the social worker and their manager "
    "today, added to {name}'s chronology, and will be considered in the current {plan}.",
}
LIVED_IMPACT = {
    O.NO_FURTHER_ACTION: "On what we know, {name}'s day-to-day life is safe and {their} needs "
    "are met; the worry described does not change that.",
    O.SIGNPOST: "The worry affects {name}'s day, but {their} basic care is good and the help "
    "needed is available from services the family already use.",
    O.EARLY_HELP: "{name}'s daily experience of {gist} will not change without coordinated "
    "help for the family.",
    O.ASSESSMENT_S17: "{name}'s daily experience of {gist} is having a cumulative effect on "
    "{their} health and development; we need to understand it properly.",
    O.STRATEGY_S47: "{name}'s daily experience of {gist} means {name} may not be safe at home "
    "tonight without a plan.",
    O.OPEN_CASE: "{name}'s social worker will consider what this means for {their} daily life "
    "within the current plan.",
}
FEEDBACK = {
    O.NO_FURTHER_ACTION: "Thank you for your referral about {name}. We have looked at it "
    "carefully, with our records, and children's social care will not take further action, "
    "because {nfa_reason}. If you have new or different worries, please refer again; you can "
    "always ring the duty line to talk a worry through.",
    O.SIGNPOST: "Thank you for your referral about {name}. We do not think {name} needs help "
    "from children's social care at the moment, but the family may find {signpost} helpful, "
    "and we have told them about it. Please contact us again if things do not improve.",
    O.EARLY_HELP: "Thank you for your referral about {name}. We are offering the family early "
    "help. The locality early help team will contact them within five working days and may "
    "ask you to be the lead professional or to come to the first meeting. Please carry on "
    "supporting {name} and tell us if things get worse.",
    O.ASSESSMENT_S17: "Thank you for your referral about {name}. A social worker will carry "
    "out a child and family assessment. They will visit {name} and the family and will "
    "contact you within ten working days to hear what you know. Please keep recording "
    "anything new and share it with the social worker.",
    O.STRATEGY_S47: "Thank you for your referral about {name}. We are holding a strategy "
    "discussion with the police and health today because we are worried about {name}'s "
    "safety. We may ask you to join it or to share information. Please do not discuss this "
    "with the family until we have spoken to you.",
    O.OPEN_CASE: "Thank you for your referral about {name}. {name} already has a social "
    "worker, who has been sent your referral today and will contact you. Please keep sharing "
    "any new worries with them.",
}
ONWARD = {
    C.PARENTAL_MENTAL_HEALTH: "Adult mental health: referral to the Northshire community "
    "mental health team for {mother}, with her agreement.",
    C.PARENTAL_ALCOHOL_MISUSE: "Substance misuse: referral to Pathways Drug and Alcohol "
    "Service for the parent who is drinking.",
    C.PARENTAL_DRUG_MISUSE: "Substance misuse: Pathways asked to review the parent's "
    "treatment plan and the safe storage of medication.",
    C.DOMESTIC_ABUSE: "Domestic abuse: {mother} referred to the independent domestic violence "
    "adviser (IDVA) service; MARAC referral where the risk is high.",
    C.SELF_HARM: "CAMHS: referral to the Northshire CAMHS single point of access.",
    C.CHILD_SEXUAL_EXPLOITATION: "Exploitation: referral to the multi-agency child "
    "exploitation panel; return home interviews after every missing episode.",
    C.CHILD_CRIMINAL_EXPLOITATION: "Exploitation: referral to the multi-agency child "
    "exploitation panel and a National Referral Mechanism referral.",
    C.RADICALISATION: "Prevent: referral to the Channel panel.",
    C.FEMALE_GENITAL_MUTILATION: "Health: GP and the FGM specialist nurse told; police asked "
    "to consider an FGM protection order.",
}
LATE_REASONS = (
    "Not allocated for screening until the day after it arrived because of sickness on the "
    "duty team; escalated to the team manager.",
    "Waiting for police information about an earlier incident, requested on the day. The "
    "decision should not have waited for it; discussed in supervision.",
    "Arrived late on a Friday and was not picked up until Monday: weekend cover was for "
    "immediate-risk referrals only.",
    "Delayed by the volume of police notifications after the bank holiday weekend.",
    "The screener's recommendation was in time; the decision was delayed while the manager "
    "chaired a strategy discussion on another case.",
)

# What the screener writes when recommending an outcome.
RECOMMENDATION = {
    O.NO_FURTHER_ACTION: "Recommend no further action: the worry has been looked into and "
    "{name}'s needs are met.",
    O.SIGNPOST: "Recommend signposting: {name}'s needs can be met by universal services and "
    "{mother} agrees.",
    O.EARLY_HELP: "Recommend early help: emerging needs, and {mother} is open to support.",
    O.ASSESSMENT_S17: "Recommend a child and family assessment: {name}'s needs are complex and "
    "the support in place is not meeting them.",
    O.STRATEGY_S47: "Recommend a strategy discussion today: reasonable cause to suspect "
    "significant harm to {name}.",
    O.OPEN_CASE: "{name} is open to a social worker: recommend passing this to them today.",
}
SCREENING_CHECKS = (
    "Checked our records, the police and the GP.",
    "Spoke to the referrer to clarify what was seen and when.",
    "Checked our records; the school and health visitor shared what they know.",
    "No response yet from health; records and police checks done.",
    "Spoke to {mother}, who gave her account and agreed to the checks.",
)
