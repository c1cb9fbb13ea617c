"""What referrers write about abuse of the child: physical, emotional and sexual abuse,
female genital mutilation, abuse linked to faith or belief, and worry for a baby not yet
born. The placeholders are those of ``demo.data.words``. Everything here is invented."""

from __future__ import annotations

from demo.data.cast import (
    CASTLE_HILL,
    GP,
    HV,
    MILLBROOK,
    NURSING,
    PATHWAYS,
    POLICE,
    PROBATION,
)
from demo.data.words.scenario import Scenario, Text
from referrals.census import ConcernCategory as C
from referrals.models import Outcome as O

ABUSE: dict[str, Scenario] = {
    "physical_abuse": Scenario(
        weight=8,
        ages=(0, 15),
        immediate=0.15,
        agencies={MILLBROOK: 3, CASTLE_HILL: 1, NURSING: 2, GP: 2, HV: 1, POLICE: 1},
        concerns=(C.PHYSICAL_ABUSE,),
        summary="an injury to {name} that may have been caused by an adult",
        gist="being hurt by an adult and being frightened at home",
        worries=(
            Text(
                "{name} came in with a bruise on {their} cheek in the shape of a hand. {name} "
                "said {their} mum's boyfriend 'slapped me because I was cheeky'. I am worried "
                "that {name} has been hit by an adult at home and could be hurt again "
                "tonight.",
                lo=4,
            ),
            Text(
                "{name} has bruises on both upper arms that look like grip marks. The "
                "explanation from {mother} (a fall) does not fit the injuries. I am worried "
                "that {name} has been physically harmed.",
                lo=1,
            ),
            Text(
                "On a routine visit I saw a small bruise on {name}'s ear. {name} is not yet "
                "mobile, and the explanation was vague. Bruising on a baby who is not mobile "
                "must be looked at under the local procedure.",
                hi=0,
            ),
            Text(
                "{name} told the school nurse that {their} dad 'whacks me with a belt when I'm "
                "naughty'; there are marks on the back of {their} legs. I am worried that "
                "{name} is being hit with an implement.",
                lo=6,
            ),
        ),
        lived=(
            Text(
                "{name} is anxious about getting things wrong and flinches when adults raise "
                "their voices.",
                lo=3,
            ),
            Text("{name} has become withdrawn and does not want to get changed for PE.", lo=5),
            Text(
                "{name} is usually smiley and chatty but was quiet and hard to settle on the "
                "visit.",
                hi=2,
            ),
        ),
        voices=(
            Text("{name} said 'Please don't tell him I told you, he'll go mad.'", lo=5),
            Text(
                "{name} said 'I fell over' and then would not say any more, looking at the floor.",
                lo=3,
            ),
            Text("{name} said 'I don't want to go home today.'", lo=4),
        ),
        next_steps=(
            "A strategy discussion today and a medical for {name}.",
            "I think {name} needs to be seen by a paediatrician and the police should be involved.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 12,
            O.EARLY_HELP: 10,
            O.ASSESSMENT_S17: 28,
            O.STRATEGY_S47: 48,
            O.OPEN_CASE: 8,
        },
        consent={"consented": 25, "aware_not_consented": 20, "not_sought": 55},
    ),
    "emotional_abuse": Scenario(
        weight=5,
        ages=(5, 15),
        agencies={MILLBROOK: 2, CASTLE_HILL: 2, NURSING: 2, GP: 1},
        concerns=(C.EMOTIONAL_ABUSE,),
        extra={C.DOMESTIC_ABUSE: 0.1},
        summary="the way {name} is spoken to and treated at home",
        gist="being told every day that {name} is not wanted or good enough",
        worries=(
            Text(
                "{name}'s father calls {them} 'stupid' and 'a waste of space' at the school "
                "gate in front of other parents, and {name} now says the same things about "
                "{their} own work. I am worried about the emotional harm to {name}."
            ),
            Text(
                "{name} is made to stand in the hall for hours and is not allowed to eat with "
                "the family as a punishment. I am worried about the emotional harm this is "
                "doing to {name}."
            ),
            Text(
                "{name} is caught in a bitter separation: {their} parents argue at every "
                "handover and each tells {name} the other does not love {them}. I am worried "
                "about {name}'s emotional wellbeing."
            ),
        ),
        lived=(
            Text(
                "{name} is tearful most mornings, has stopped eating lunch and picks at the "
                "skin on {their} fingers until it bleeds."
            ),
            Text(
                "{name} is very quiet in class and apologises for things that are not {their} "
                "fault."
            ),
        ),
        voices=(
            Text("{name} said 'Nobody at home likes me. I'm the bad one.'"),
            Text("{name} said 'I wish I could live at school.'"),
            Text("{name} said 'I'm stupid, my dad says so.'"),
        ),
        next_steps=(
            "Someone to work with the parents on how they speak to {name}, and "
            "counselling for {name}.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 14,
            O.SIGNPOST: 14,
            O.EARLY_HELP: 36,
            O.ASSESSMENT_S17: 30,
            O.STRATEGY_S47: 6,
            O.OPEN_CASE: 6,
        },
        signpost="the school counsellor and the Family Hub's parenting after separation course",
    ),
    "fgm": Scenario(
        weight=1,
        ages=(0, 11),
        female=1.0,
        siblings=True,
        agencies={GP: 2, HV: 1, MILLBROOK: 1, NURSING: 1},
        concerns=(C.FEMALE_GENITAL_MUTILATION,),
        summary="a risk that {name} will be taken abroad for female genital mutilation",
        gist="a planned trip abroad that may put {them} at risk of FGM",
        worries=(
            Text(
                "{mother} told me at her new-patient check that she had FGM as a child. She has "
                "a daughter, {name}, and the family are planning a long trip 'home' in the "
                "summer holidays. I am worried that {name} may be at risk of FGM."
            ),
            Text(
                "{name} told {their} teacher she is going abroad for a 'special ceremony' to "
                "'become a woman', with a party and presents. I am worried that {name} is at "
                "risk of FGM.",
                lo=5,
            ),
        ),
        lived=(
            Text(
                "{name} is well cared for, happy and doing well; the worry is the trip "
                "abroad, not day-to-day care."
            ),
        ),
        voices=(Text("{name} said she is excited about the trip and the party."),),
        next_steps=(
            "A strategy discussion before the summer holidays; police to consider an "
            "FGM protection order.",
        ),
        outcomes={O.ASSESSMENT_S17: 30, O.STRATEGY_S47: 70},
        consent={"not_sought": 100},
    ),
    "faith_or_belief": Scenario(
        weight=1,
        ages=(4, 12),
        agencies={MILLBROOK: 2, GP: 1},
        concerns=(C.FAITH_OR_BELIEF,),
        extra={C.EMOTIONAL_ABUSE: 0.5},
        summary="harm linked to a belief that {name} is possessed",
        gist="being treated as the cause of the family's troubles",
        worries=(
            Text(
                "{name} told {their} teacher that a pastor at the family's church said {name} "
                "has a bad spirit inside and must be prayed over until it leaves; {name} has "
                "been made to fast. I am worried that {name} is being harmed because of a "
                "belief that {name} is possessed."
            ),
        ),
        lived=(
            Text("{name} is hungry on Mondays and frightened of going to church at the weekend."),
        ),
        voices=(Text("{name} said 'I'm the reason bad things happen to us.'"),),
        next_steps=("A strategy discussion and advice from the faith-based abuse lead.",),
        outcomes={O.EARLY_HELP: 10, O.ASSESSMENT_S17: 40, O.STRATEGY_S47: 50},
        consent={"not_sought": 100},
    ),
    "sexual_abuse": Scenario(
        weight=2,
        ages=(4, 15),
        immediate=0.2,
        agencies={MILLBROOK: 2, NURSING: 1, CASTLE_HILL: 1, GP: 1},
        concerns=(C.SEXUAL_ABUSE,),
        summary="{name}'s disclosure of sexual abuse",
        gist="being abused by someone {name} should be safe with",
        worries=(
            Text(
                "At the end of the day {name} told {their} teacher that an older cousin 'does "
                "things I don't like' when he babysits, became upset and did not say more. The "
                "cousin is due to babysit this weekend. I am worried that {name} has been "
                "sexually abused."
            ),
            Text(
                "{name} has shown sexual knowledge and behaviour well beyond what is expected "
                "at {their} age and has become withdrawn and frightened of being alone with "
                "adults. I am worried that {name} is being sexually abused."
            ),
        ),
        lived=(
            Text(
                "{name} has started wetting the bed and does not want to go to family gatherings."
            ),
        ),
        voices=(Text("{name} said 'It's a secret, I'll get in trouble.'"),),
        next_steps=("A strategy discussion today; the school will not ask {name} more questions.",),
        outcomes={O.STRATEGY_S47: 85, O.OPEN_CASE: 15},
        consent={"not_sought": 100},
    ),
    "pre_birth": Scenario(
        weight=2,
        ages=(-1, -1),
        female=0.0,
        needs_adult=True,
        agencies={HV: 2, PATHWAYS: 1, PROBATION: 1, GP: 1},
        concerns=(),
        summary="risks to a baby who is not yet born",
        gist="being born into a home where the risks are not yet addressed",
        worries=(
            Text(
                "{mother} is 30 weeks pregnant and using heroin daily; she has missed antenatal "
                "appointments. Her two older children were removed from her care in another "
                "authority. I am worried about the baby's safety after birth.",
                concerns=(C.PARENTAL_DRUG_MISUSE,),
            ),
            Text(
                "{mother} is 24 weeks pregnant and lives with {adult}, who has a history of "
                "domestic abuse against a previous partner. Police have attended twice this "
                "month. I am worried about the baby being born into a violent home.",
                concerns=(C.DOMESTIC_ABUSE,),
            ),
            Text(
                "{mother} is 32 weeks pregnant and had severe post-natal depression with "
                "psychosis after her first baby. She has stopped her medication. I am worried "
                "about her mental health and the baby's care.",
                concerns=(C.PARENTAL_MENTAL_HEALTH,),
            ),
        ),
        lived=(
            Text(
                "The baby is not yet born. {mother} has a one-bedroom flat with no cot or "
                "baby things yet."
            ),
        ),
        voices=(
            Text(
                "The baby is not yet born. {mother} said she wants to do things differently "
                "this time and is frightened the baby will be taken from her."
            ),
        ),
        next_steps=("A pre-birth assessment, started early enough to plan for the birth.",),
        outcomes={O.EARLY_HELP: 15, O.ASSESSMENT_S17: 55, O.STRATEGY_S47: 20, O.OPEN_CASE: 10},
    ),
}
