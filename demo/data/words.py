"""What referrers write: for each kind of concern, the templates a referral's narrative is
composed from, with the ages each fits. ``{name}``, ``{their}``, ``{them}``, ``{they}``,
``{mother}`` and ``{adult}`` are filled in for each child. Everything here is invented."""

from __future__ import annotations

from dataclasses import dataclass, field

from demo.data.cast import (
    CASTLE_HILL,
    GP,
    HV,
    MILLBROOK,
    NURSING,
    PATHWAYS,
    POLICE,
    PROBATION,
    YJS,
)
from referrals.census import ConcernCategory as C
from referrals.models import Outcome as O


@dataclass(frozen=True)
class Text:
    """A template, the ages it fits (-1 is unborn) and any concerns it brings with it."""

    text: str
    lo: int = -1
    hi: int = 17
    concerns: tuple[str, ...] = ()
    by: tuple[str, ...] = ()  # only these agencies write it (any, when empty)


@dataclass(frozen=True)
class Scenario:
    weight: int
    ages: tuple[int, int]
    agencies: dict[str, int]
    concerns: tuple[str, ...]
    summary: str
    gist: str
    worries: tuple[Text, ...]
    lived: tuple[Text, ...]
    voices: tuple[Text, ...]
    next_steps: tuple[str, ...]
    outcomes: dict[str, int]
    extra: dict[str, float] = field(default_factory=dict)
    consent: dict[str, int] = field(
        default_factory=lambda: {
            "consented": 50,
            "aware_not_consented": 25,
            "not_aware": 15,
            "not_sought": 10,
        }
    )
    immediate: float = 0.0
    female: float = 0.5
    needs_adult: bool = False
    siblings: bool = False
    signpost: str = "the Family Hub's drop-in and parenting courses"


SCENARIOS: dict[str, Scenario] = {
    "neglect": Scenario(
        weight=26,
        ages=(0, 15),
        siblings=True,
        agencies={MILLBROOK: 4, CASTLE_HILL: 2, HV: 3, GP: 2, NURSING: 2, POLICE: 2, PATHWAYS: 1},
        concerns=(C.NEGLECT,),
        extra={
            C.PARENTAL_MENTAL_HEALTH: 0.15,
            C.PARENTAL_ALCOHOL_MISUSE: 0.1,
            C.PARENTAL_DRUG_MISUSE: 0.08,
        },
        summary="persistent neglect of {name}'s basic care: hunger, hygiene and supervision",
        gist="going without regular meals, clean clothes and an adult who notices",
        worries=(
            Text(
                "{name} has come to school hungry on most days this half-term and has been "
                "taking food from other children's lunchboxes. {name} wears the same uniform "
                "all week, it smells of urine, and other children have started to avoid "
                "{them}. I am worried that {name}'s basic needs are not being met at home and "
                "that this is getting worse, not better.",
                lo=4,
                by=(MILLBROOK, CASTLE_HILL, NURSING),
            ),
            Text(
                "When I visited, the living-room floor was covered in rubbish and dog mess, "
                "there was no food in the fridge apart from milk, and the children's beds had "
                "no sheets. {mother} seemed flat and said she was 'just tired'. I am worried "
                "that {name} is living in conditions that are harmful to {their} health.",
                by=(HV, GP, NURSING, PATHWAYS, PROBATION),
            ),
            Text(
                "Officers carried out a welfare check at 22:40 after neighbours reported "
                "children shouting and no adult answering. {name} opened the door; there was "
                "no adult in the house for another hour, the kitchen had no food and the "
                "electricity meter had run out. I am worried that {name} is left alone and "
                "without basic care.",
                lo=3,
                by=(POLICE,),
            ),
            Text(
                "Officers attending a neighbour dispute found {name} alone in a cot in a cold "
                "flat, in a soiled nappy, with an empty bottle. {mother} came back from a "
                "friend's flat forty minutes later. I am worried that {name} is being left "
                "alone and that {their} basic care is neglected.",
                hi=2,
                by=(POLICE,),
            ),
            Text(
                "{name} has missed three health appointments in a row, including a hearing "
                "test, and has untreated tooth decay that is causing pain. {mother} says she "
                "will book the dentist but has not. I am worried that {name} is in pain and "
                "that {their} health needs are being neglected.",
                lo=2,
                by=(GP, HV, NURSING),
            ),
            Text(
                "{name} is often collected late, sometimes by a sibling aged 11, and last week "
                "nobody came until 5.30pm. {name} has been seen out on the estate after dark "
                "without an adult. I am worried that {name} is not being supervised and could "
                "come to harm.",
                lo=4,
                hi=12,
                by=(MILLBROOK, CASTLE_HILL),
            ),
            Text(
                "{name} has not been brought to the last four baby clinic appointments and "
                "has dropped from the 50th to below the 9th centile for weight. The flat was "
                "cold and there was one tin of formula. I am worried that {name} is not being "
                "fed enough.",
                hi=1,
                by=(HV, GP),
            ),
        ),
        lived=(
            Text(
                "{name} gets up and dressed without help most mornings; breakfast is dry "
                "cereal or nothing.",
                lo=5,
            ),
            Text("The free school meal is often the only hot meal {name} has in a day.", lo=4),
            Text(
                "{name} shares a mattress on the floor with a sibling; there is no bedtime "
                "routine and {name} is often tired and falls asleep in class.",
                lo=4,
            ),
            Text(
                "{name}'s clothes are too small and not washed, and {they} has had head lice "
                "for most of the term.",
                lo=3,
            ),
            Text(
                "At weekends {name} is mostly indoors on a tablet or out on the estate; there "
                "is little sign that an adult plays with {them} or knows where {name} is.",
                lo=5,
            ),
            Text(
                "{name} spends long periods in a car seat or cot in a cold room, with a bottle "
                "propped up rather than being held to feed.",
                hi=1,
            ),
            Text("{name} has bad nappy rash and the nappies are changed infrequently.", hi=2),
        ),
        voices=(
            Text(
                "{name} told me: 'There's no food at home, only sometimes. Mum says we have to "
                "wait for Friday.'"
            ),
            Text(
                "{name} said 'I don't like going home because it's messy and it smells' and "
                "asked whether {they} could stay at after-school club every day."
            ),
            Text(
                "Asked about home, {name} shrugged and said 'it's fine', but later told the "
                "teaching assistant that {their} tummy hurts when there is no tea."
            ),
            Text("{name} said 'I get my little brother ready because mum is asleep.'", lo=7),
        ),
        next_steps=(
            "I think the family need an assessment to understand why things are not improving, "
            "and practical help with food, beds and routines.",
            "I would like a social worker to look at what home is like for {name}; we can "
            "offer breakfast club and uniform straight away.",
            "Early help has been tried twice. I think this now needs a social worker.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 12,
            O.SIGNPOST: 10,
            O.EARLY_HELP: 36,
            O.ASSESSMENT_S17: 32,
            O.STRATEGY_S47: 8,
            O.OPEN_CASE: 8,
        },
        signpost="the Family Hub's food bank referral and the holiday activity programme",
    ),
    "domestic_abuse": Scenario(
        weight=18,
        ages=(0, 17),
        siblings=True,
        needs_adult=True,
        immediate=0.04,
        agencies={POLICE: 8, PROBATION: 2, HV: 1, MILLBROOK: 1, GP: 1},
        concerns=(C.DOMESTIC_ABUSE,),
        extra={C.EMOTIONAL_ABUSE: 0.25, C.PARENTAL_ALCOHOL_MISUSE: 0.15},
        summary="domestic abuse in the home that {name} sees and hears",
        gist="living with frightening incidents of violence and control between the adults",
        worries=(
            Text(
                "Police attended at {time} after a 999 call from {mother}. {adult} had been "
                "drinking and had thrown a mug at her; she had a cut to her forehead. {name} "
                "was in the house and officers found {them} hiding upstairs. I am worried that "
                "{name} is living with frightening incidents of domestic abuse.",
                lo=2,
            ),
            Text(
                "A DASH risk assessment was graded {grade} after {adult} pushed {mother} "
                "against a wall and broke her phone so she could not call for help. {name} was "
                "present and tried to pull {adult} away. I am worried about the emotional harm "
                "to {name} and that {name} could be hurt trying to protect {their} mother.",
                lo=6,
            ),
            Text(
                "{mother} told me that {adult} controls the money, checks her phone and has "
                "threatened to take the children if she leaves. She is frightened of him. I am "
                "worried that {name} is growing up in a home where {their} mother is controlled "
                "and afraid."
            ),
            Text(
                "Neighbours called police after hearing shouting and a child screaming. {adult} "
                "had left before officers arrived; {mother} had a swollen eye and would not "
                "make a statement. I am worried about {name}'s safety if {adult} comes back."
            ),
            Text(
                "{mother} was holding {name} when {adult} punched the wall beside her head "
                "during an argument. I am worried that {name} could be injured and that the "
                "incidents are escalating.",
                hi=2,
            ),
        ),
        lived=(
            Text(
                "{name} is often awake late because of arguments, and is tired and jumpy the "
                "next day.",
                lo=3,
            ),
            Text(
                "{name} has started wetting the bed again and does not want to leave {their} "
                "mother's side.",
                lo=3,
                hi=10,
            ),
            Text(
                "{name} hears the arguments through the wall and turns the television up; "
                "{they} says {they} 'knows when dad is in a bad mood'.",
                lo=5,
            ),
            Text(
                "On the mornings after incidents {name} arrives late and quiet and struggles "
                "to concentrate.",
                lo=4,
            ),
            Text("{name} is unsettled, feeds poorly and startles at raised voices.", hi=2),
        ),
        voices=(
            Text(
                "{name} told the officer: 'Daddy was shouting and mummy was crying. I hid under "
                "the bed with my teddy.'",
                lo=3,
                hi=9,
            ),
            Text("{name} said 'I don't want him to come back. I'm scared he'll hurt mum.'"),
            Text(
                "{name} said 'It's not his fault, he's just stressed' and asked officers not to "
                "tell anyone.",
                lo=8,
            ),
            Text(
                "{name} would not talk to officers with {their} mother in the room; the "
                "designated safeguarding lead will speak to {name} at school tomorrow.",
                lo=5,
            ),
        ),
        next_steps=(
            "Support for {mother} from the domestic abuse service and an assessment of the "
            "risk to {name}.",
            "I think the case should go to MARAC and the school should be told so that {name} "
            "has a trusted adult to talk to (Operation Encompass).",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 14,
            O.SIGNPOST: 14,
            O.EARLY_HELP: 30,
            O.ASSESSMENT_S17: 28,
            O.STRATEGY_S47: 10,
            O.OPEN_CASE: 10,
        },
        consent={"consented": 10, "aware_not_consented": 40, "not_aware": 20, "not_sought": 30},
        signpost="the Northshire domestic abuse helpline and the Freedom Programme",
    ),
    "parental_mental_health": Scenario(
        weight=8,
        ages=(0, 15),
        siblings=True,
        agencies={HV: 3, GP: 3, MILLBROOK: 2, NURSING: 1, CASTLE_HILL: 1},
        concerns=(C.PARENTAL_MENTAL_HEALTH,),
        extra={C.NEGLECT: 0.3, C.EMOTIONAL_ABUSE: 0.08},
        summary="{mother}'s poor mental health and its effect on the care {name} receives",
        gist="caring for, and worrying about, a parent who is unwell",
        worries=(
            Text(
                "{mother} has been very low since {name} was born and told me she has thoughts "
                "of not being here. She is not eating and spends most of the day in bed. I am "
                "worried about who is caring for {name} when she cannot.",
                hi=2,
            ),
            Text(
                "{mother} was detained under the Mental Health Act on Tuesday after a crisis. "
                "{name} was at home with her and was collected by a neighbour. I am worried "
                "about who will care for {name} and about what {name} saw."
            ),
            Text(
                "{mother} has stopped her medication, believes the neighbours are watching the "
                "flat and has kept {name} off school for a week 'to keep {them} safe'. I am "
                "worried that {name} is being drawn into her beliefs and is missing school.",
                lo=5,
            ),
            Text(
                "{name} appears to be caring for {their} mother, who has severe depression: "
                "{name} does the shopping and makes the meals. I am worried that {name} is a "
                "young carer without support and is missing out on being a child.",
                lo=8,
            ),
        ),
        lived=(
            Text(
                "On good days {name} is well cared for; on bad days {name} is left in the cot "
                "or in front of the television for long periods.",
                hi=4,
            ),
            Text(
                "{name} worries about {their} mother all day and asks to phone home at lunchtime.",
                lo=5,
            ),
            Text("{name} has stopped going to football and sees no friends outside school.", lo=7),
            Text("The curtains are kept closed and the flat is quiet; {name} mostly plays alone."),
        ),
        voices=(
            Text(
                "{name} said 'Mum is poorly in her head. I make her tea and toast so she eats "
                "something.'",
                lo=6,
            ),
            Text(
                "{name} said school is good 'because it's normal here' and that {they} gets "
                "scared when mum cries at night.",
                lo=5,
            ),
            Text("{name} told me 'I have to be good so mum doesn't get sad.'", lo=4),
            Text("{name} said 'Mummy is sad and stays in bed' and hugged {their} toy.", lo=3, hi=6),
        ),
        next_steps=(
            "Support for {mother} from adult mental health services, and a young carers "
            "assessment for {name}.",
            "A joined-up plan between the GP, mental health team and school so that {name} is "
            "not left to cope alone.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 14,
            O.SIGNPOST: 20,
            O.EARLY_HELP: 34,
            O.ASSESSMENT_S17: 26,
            O.STRATEGY_S47: 4,
            O.OPEN_CASE: 8,
        },
        signpost="Northshire Talking Therapies for {mother} and the young carers service",
    ),
    "parental_alcohol": Scenario(
        weight=6,
        ages=(0, 15),
        siblings=True,
        needs_adult=True,
        agencies={PATHWAYS: 3, POLICE: 2, MILLBROOK: 2, GP: 1, PROBATION: 1},
        concerns=(C.PARENTAL_ALCOHOL_MISUSE,),
        extra={C.NEGLECT: 0.4, C.DOMESTIC_ABUSE: 0.15},
        summary="parental alcohol misuse affecting the supervision and care of {name}",
        gist="care that depends on whether the adults have been drinking",
        worries=(
            Text(
                "{adult} attends our service for alcohol dependency and has relapsed: he says "
                "he is drinking two bottles of wine a day and is the main carer for {name} "
                "while {mother} works nights. I am worried that {name} is being cared for by "
                "someone too drunk to keep {them} safe."
            ),
            Text(
                "{mother} arrived to collect {name} smelling strongly of alcohol and unsteady "
                "on her feet; staff did not let her drive. This is the second time this month. "
                "I am worried about {name}'s safety in the car and at home.",
                lo=2,
            ),
            Text(
                "Police were called to a disturbance; {adult} was heavily intoxicated and "
                "{name} had been left to put a younger sibling to bed. I am worried that "
                "{name}'s care depends on whether the adults have been drinking.",
                lo=7,
            ),
        ),
        lived=(
            Text(
                "Evenings are unpredictable: some nights there is tea and a bath, other nights "
                "nobody is able to look after {name}."
            ),
            Text(
                "{name} has learned to make toast and look after a younger sibling when the "
                "adults have been drinking.",
                lo=7,
            ),
            Text("{name} is late most Mondays and tired after weekends.", lo=4),
        ),
        voices=(
            Text(
                "{name} said 'Dad goes funny when he drinks the smelly drink. I go to my room.'",
                lo=4,
                hi=11,
            ),
            Text(
                "{name} said 'I don't like it when mum falls asleep on the sofa and won't wake up.'"
            ),
            Text(
                "{name} said 'It's only at the weekend' and seemed worried {they} had said too "
                "much.",
                lo=8,
            ),
        ),
        next_steps=(
            "A safety plan so that a sober adult is always caring for {name}, and treatment "
            "for the drinking.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 12,
            O.SIGNPOST: 12,
            O.EARLY_HELP: 34,
            O.ASSESSMENT_S17: 32,
            O.STRATEGY_S47: 8,
            O.OPEN_CASE: 8,
        },
        signpost="Pathways' family support group and Al-Anon family groups",
    ),
    "parental_drugs": Scenario(
        weight=6,
        ages=(0, 15),
        siblings=True,
        needs_adult=True,
        agencies={PATHWAYS: 3, PROBATION: 2, POLICE: 2, HV: 1},
        concerns=(C.PARENTAL_DRUG_MISUSE,),
        extra={C.NEGLECT: 0.4},
        summary="parental drug use and what {name} is exposed to at home",
        gist="drugs, needles and unknown adults in the home",
        worries=(
            Text(
                "{adult} told me at his appointment that he has started using heroin again and "
                "that {name} was at home when he used. He keeps his methadone in a kitchen "
                "cupboard {name} can reach. I am worried about {name} finding drugs or needles "
                "and about the care {name} gets when he is under the influence."
            ),
            Text(
                "During a drugs warrant officers found cannabis, scales and cash in the bedroom "
                "{name} shares with {their} parents. Both adults were under the influence. I am "
                "worried about what {name} is exposed to and about the people who come to the "
                "house."
            ),
            Text(
                "{mother} is on a methadone prescription and has missed her last three "
                "pick-ups; her key worker thinks she is using on top. She is the only carer "
                "for {name}. I am worried about the care {name} receives."
            ),
        ),
        lived=(
            Text("Adults {name} does not know come and go from the flat at all hours."),
            Text(
                "{name} has been found playing with a lighter and foil from the kitchen.",
                lo=2,
                hi=8,
            ),
            Text(
                "{name} is often late and says {they} has been 'waiting for mum to wake up'.", lo=4
            ),
        ),
        voices=(
            Text("{name} said 'Dad has his medicine and then he's sleepy all day.'", lo=4, hi=11),
            Text("{name} said 'I'm not allowed to say who comes round.'", lo=6),
            Text("{name} said {they} likes it best at nan's house 'because it's calm'.", lo=3),
        ),
        next_steps=(
            "Safe storage of medication checked today, and an assessment of the care "
            "{name} receives.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 8,
            O.SIGNPOST: 8,
            O.EARLY_HELP: 30,
            O.ASSESSMENT_S17: 35,
            O.STRATEGY_S47: 12,
            O.OPEN_CASE: 10,
        },
        consent={"consented": 30, "aware_not_consented": 30, "not_aware": 20, "not_sought": 20},
    ),
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
    "cse": Scenario(
        weight=4,
        ages=(12, 17),
        female=0.8,
        immediate=0.1,
        agencies={POLICE: 3, CASTLE_HILL: 2, NURSING: 2, YJS: 1},
        concerns=(C.CHILD_SEXUAL_EXPLOITATION,),
        extra={C.GOING_MISSING: 0.6},
        summary="signs that {name} is being groomed and sexually exploited",
        gist="being controlled by older adults and going missing",
        worries=(
            Text(
                "{name} has been seen getting into cars with older men outside school several "
                "times and has a new phone and clothes the family cannot explain. {name} has "
                "been missing overnight twice this month. I am worried that {name} is being "
                "sexually exploited."
            ),
            Text(
                "{name} has been messaged on social media by a man in his twenties who has "
                "asked for pictures and sent {them} money. {name} thinks he is {their} "
                "boyfriend. I am worried that {name} is being groomed."
            ),
            Text(
                "Officers found {name} at 3am at an address known for parties where adults "
                "give young people alcohol and drugs. {name} was drunk and would not say how "
                "{they} got there. I am worried that {name} is being sexually exploited."
            ),
        ),
        lived=(
            Text("{name} is tired and withdrawn and has stopped seeing friends {their} own age."),
            Text(
                "{name} misses lessons, is always on {their} phone and is anxious when it buzzes."
            ),
            Text(
                "There are constant rows at home about curfew, and {name} climbs out of the "
                "window at night."
            ),
        ),
        voices=(
            Text("{name} said 'He's my boyfriend, he looks after me. You don't get it.'"),
            Text("{name} said 'I just want to be somewhere people want me.'"),
            Text("{name} did not want to talk and said 'you'll just tell my mum'."),
        ),
        next_steps=("A strategy discussion and referral to the exploitation panel.",),
        outcomes={O.EARLY_HELP: 8, O.ASSESSMENT_S17: 30, O.STRATEGY_S47: 50, O.OPEN_CASE: 12},
        consent={"aware_not_consented": 30, "not_aware": 30, "not_sought": 40},
    ),
    "cce": Scenario(
        weight=4,
        ages=(12, 17),
        female=0.15,
        agencies={POLICE: 3, YJS: 3, CASTLE_HILL: 2},
        concerns=(C.CHILD_CRIMINAL_EXPLOITATION,),
        extra={C.GOING_MISSING: 0.5},
        summary="signs that {name} is being criminally exploited to carry and sell drugs",
        gist="owing money to, and being afraid of, the people who use {them}",
        worries=(
            Text(
                "{name} was arrested in Lowmoor, forty miles away, with wraps of crack cocaine "
                "hidden on {them} and £300 in cash. {name} had not been reported missing. I am "
                "worried that {name} is being exploited to sell drugs ('county lines')."
            ),
            Text(
                "{name} has a second phone, new trainers and injuries {they} will not explain, "
                "and older young people wait for {them} outside school. I am worried that "
                "{name} is being groomed into selling drugs."
            ),
            Text(
                "{name}'s mother found a knife in {their} bag; {name} said it was 'for "
                "protection'. {name} owes money to someone {they} will not name. I am worried "
                "that {name} is being criminally exploited and is at risk of serious harm."
            ),
        ),
        lived=(
            Text("{name} is out most nights and sleeps through the day."),
            Text("{name} has stopped going to school and jumps when {their} phone rings."),
            Text("{name}'s younger siblings have been told to say {name} is 'at a mate's'."),
        ),
        voices=(
            Text("{name} said 'If I stop they'll come to the house.'"),
            Text("{name} said 'I'm not a grass' and would not say any more."),
            Text("{name} said 'It's easy money, nobody's making me' but looked frightened."),
        ),
        next_steps=(
            "A strategy discussion, the exploitation panel and a National Referral "
            "Mechanism referral.",
        ),
        outcomes={O.EARLY_HELP: 8, O.ASSESSMENT_S17: 32, O.STRATEGY_S47: 45, O.OPEN_CASE: 15},
        consent={"consented": 20, "aware_not_consented": 40, "not_sought": 40},
    ),
    "missing": Scenario(
        weight=4,
        ages=(11, 17),
        agencies={POLICE: 5, CASTLE_HILL: 1, YJS: 1},
        concerns=(C.GOING_MISSING,),
        extra={C.CHILD_SEXUAL_EXPLOITATION: 0.12, C.CHILD_CRIMINAL_EXPLOITATION: 0.12},
        summary="repeated missing episodes without a clear explanation",
        gist="going missing and not being able to say where {name} has been",
        worries=(
            Text(
                "{name} was reported missing by {their} mother at 22:00 and found by officers at "
                "04:30 in the town centre with older young people. This is the {nth} missing "
                "episode this year. I am worried about where {name} goes and who with."
            ),
            Text(
                "{name} did not come home after school and was found the next afternoon at a "
                "friend's house; {name} would not say where {they} had been overnight. I am "
                "worried that {name} is at risk of exploitation."
            ),
        ),
        lived=(
            Text("{name} has been to three return home interviews and has not engaged with any."),
            Text("Home is tense; {name} and {their} mother argue about where {they} goes."),
        ),
        voices=(
            Text("{name} said 'I just go out because home is stressful.'"),
            Text("{name} said 'I'm fine, everyone's overreacting.'"),
        ),
        next_steps=("A return home interview and a plan with the family about going missing.",),
        outcomes={
            O.NO_FURTHER_ACTION: 16,
            O.SIGNPOST: 10,
            O.EARLY_HELP: 35,
            O.ASSESSMENT_S17: 30,
            O.STRATEGY_S47: 5,
            O.OPEN_CASE: 10,
        },
        signpost="the missing-from-home support worker and a youth club",
    ),
    "self_harm": Scenario(
        weight=5,
        ages=(11, 17),
        female=0.7,
        agencies={NURSING: 3, GP: 2, CASTLE_HILL: 2},
        concerns=(C.SELF_HARM,),
        extra={C.EMOTIONAL_ABUSE: 0.25},
        summary="{name}'s self-harm and what lies behind it",
        gist="hurting {them}self to cope with how {name} feels",
        worries=(
            Text(
                "{name} showed the school nurse cuts to {their} forearms, some fresh, and said "
                "the cutting has happened most nights for two months. {name} sometimes thinks "
                "everyone would be better off without {them}. I am worried about {name}'s "
                "safety, and {their} parents do not know."
            ),
            Text(
                "{name} attended A&E after taking an overdose of paracetamol; {name} says it "
                "was 'to make everything stop'. I am worried about what is happening that has "
                "led {name} to this."
            ),
            Text(
                "{name} told me about self-harm that started when arguments at home got worse; "
                "{name} says {their} stepfather calls it 'attention seeking'. I am worried "
                "about {name}'s safety and about home."
            ),
        ),
        lived=(
            Text("{name} wears long sleeves in all weather and has stopped doing PE."),
            Text("{name} spends most evenings alone in {their} room and barely sleeps."),
        ),
        voices=(
            Text("{name} said 'It's the only thing that helps. Please don't tell my mum.'"),
            Text("{name} said 'I don't want to die, I just want it to stop.'"),
            Text("{name} said {they} would like to talk to someone 'who isn't family'."),
        ),
        next_steps=("Urgent CAMHS involvement and a safety plan agreed with {name}.",),
        outcomes={
            O.NO_FURTHER_ACTION: 12,
            O.SIGNPOST: 30,
            O.EARLY_HELP: 28,
            O.ASSESSMENT_S17: 24,
            O.STRATEGY_S47: 6,
            O.OPEN_CASE: 6,
        },
        consent={"consented": 40, "aware_not_consented": 20, "not_aware": 20, "not_sought": 20},
        signpost="CAMHS single point of access and Kooth online counselling",
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
    "radicalisation": Scenario(
        weight=1,
        ages=(13, 17),
        female=0.1,
        agencies={CASTLE_HILL: 3, POLICE: 1, YJS: 1},
        concerns=(C.RADICALISATION,),
        summary="{name} being drawn into extremist views online",
        gist="spending hours a day in online spaces that promote hatred",
        worries=(
            Text(
                "{name} has been sharing extreme right-wing videos in a class group chat and "
                "told another pupil that people like them 'should be sent back'. {name} has a "
                "new online group of older friends. I am worried that {name} is being drawn "
                "into extremism."
            ),
            Text(
                "{name}'s phone holds material from an extremist forum and messages from an "
                "adult encouraging {them} to 'do something'. I am worried that {name} is being "
                "groomed towards violence."
            ),
        ),
        lived=(Text("{name} is isolated at school and spends most nights gaming and on forums."),),
        voices=(
            Text("{name} said 'I'm just saying what everyone thinks.'"),
            Text("{name} said the people online 'actually listen to me'."),
        ),
        next_steps=("A Prevent referral and a mentor for {name}.",),
        outcomes={O.SIGNPOST: 25, O.EARLY_HELP: 35, O.ASSESSMENT_S17: 30, O.STRATEGY_S47: 10},
        signpost="Prevent and the Channel panel",
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
SIBLING_SCENARIOS = [k for k, s in SCENARIOS.items() if s.siblings]

BABY_VOICES = (
    "{name} is too young to say. On my visit {name} was quiet and watchful, did not babble or "
    "reach for {their} mother, and settled only when held.",
    "{name} is a baby and cannot tell us. {name} was in a heavily soiled nappy and fed hungrily "
    "when a fresh bottle was made up.",
    "{name} is too young to talk. {name} smiled and babbled with {their} mother and made good "
    "eye contact, which was good to see.",
    "{name} is not yet talking. {name} flinched and cried when a door slammed and clung to "
    "{their} mother for the rest of the visit.",
    "{name} is too young to give a view; {name} was asleep throughout and I could not see "
    "{them} awake or undressed.",
)
VOICE_NOT_GATHERED = (
    "{name} has not been asked about this yet because {their} father was present; the "
    "designated safeguarding lead will speak to {name} tomorrow with a familiar adult.",
    "We have not spoken to {name} about this, so as not to lead {them} before a strategy "
    "discussion. {name} seemed quiet and did not want to go out at break.",
)
HISTORY_FIRST = (
    Text("No previous concerns known to us."),
    Text(
        "We have had low-level worries since September (late collections, unwashed uniform), "
        "recorded on our system but not referred before.",
        lo=4,
        by=(MILLBROOK, CASTLE_HILL),
    ),
    Text("{mother} asked for help with housing in the spring; no other involvement known."),
    Text("Police attended a verbal argument at the address last year; no further action."),
    Text(
        "Known to the health visiting service as a universal family; no concerns until recently.",
        hi=4,
    ),
    Text("This is new: until this term {name} was settled and doing well.", lo=4),
    Text("The family moved here from another authority last year; we do not know their history."),
)
WORKING_WELL = (
    "{mother} loves {name} and wants things to be better; she has kept every appointment with "
    "us this term.",
    "{name} goes to school every day and has a good relationship with {their} class teacher.",
    "Maternal grandmother lives nearby, sees {name} most days and is a safe adult {name} trusts.",
    "{name} loves football and the coach is a positive adult in {their} life.",
    "{mother} was open with us about the difficulties and asked for help herself.",
    "On my visit there was food in the cupboards, the heating was on and {name} has {their} "
    "own bed.",
    "{name} has a close group of friends and enjoys art club.",
    "An aunt has offered to have {name} to stay at weekends.",
    "{mother} has seen her GP and started counselling.",
    "Not much is working well at the moment; the family have turned down support twice.",
)
# A sentence a referrer may add to the worry (or not).
EXTRA_DETAIL = (
    Text("This has happened at least three times since Christmas."),
    Text("Other staff have noticed the same thing.", by=(MILLBROOK, CASTLE_HILL, NURSING, GP)),
    Text("{name}'s attendance has fallen to 84%.", lo=5, by=(MILLBROOK, CASTLE_HILL, NURSING)),
    Text(""),
    Text(""),
)
NOT_SOUGHT_REASONS = (
    Text(
        "Speaking to the parents first could put {name} at greater risk before a strategy "
        "discussion."
    ),
    Text(
        "Police notification after an incident: information is shared without consent where "
        "a child may be at risk of harm.",
        by=(POLICE,),
    ),
    Text(
        "{name} asked us not to tell {their} parents yet; we explained that we have to share "
        "this to keep {them} safe.",
        lo=8,
    ),
    Text(
        "Made out of hours and the parents could not be reached; they will be told tomorrow.",
        by=(POLICE, PROBATION),
    ),
)
KNOWN_RISKS = (
    "Subject to a non-molestation order protecting {mother} (Northshire Family Court); it "
    "bars him from the address.",
    "On licence to Northshire Probation after a conviction for assault; licence conditions "
    "include not contacting a previous partner.",
    "Known to police for domestic abuse towards a previous partner.",
    "Bail conditions not to attend the address until the court hearing.",
    "Alcohol dependent; has turned down treatment from Pathways twice.",
)
