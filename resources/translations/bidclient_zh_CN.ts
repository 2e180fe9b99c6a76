<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AgencyWorkspace</name>
    <message>
        <source>Drawing the evaluation committee</source>
        <translation>抽取评标委员会</translation>
    </message>
    <message>
        <source>Not signed in: sign in with the agency&apos;s dongle.</source>
        <translation>未登录：请用代理机构的数字证书（U 盾）登录。</translation>
    </message>
    <message>
        <source>Signed in as {name} ({code}).</source>
        <translation>已登录：{name}（{code}）。</translation>
    </message>
    <message>
        <source>&amp;Sign in with the dongle…</source>
        <translation>用 U 盾登录(&amp;S)…</translation>
    </message>
    <message>
        <source>Sign in with the dongle</source>
        <translation>用 U 盾登录</translation>
    </message>
</context>
<context>
    <name>AnnouncePage</name>
    <message>
        <source>Announce (唱标)</source>
        <translation>唱标</translation>
    </message>
    <message>
        <source>Announce every bid</source>
        <translation>对全部投标唱标</translation>
    </message>
    <message>
        <source>Once the window has closed, or every bid is decided. A bid not opened gets its outcome: 撤销 or 撤回 (Art. 31).</source>
        <translation>解密时间结束后，或每份投标均已有结果时进行。未解密的投标按第三十一条确定结果：撤销或撤回。</translation>
    </message>
    <message>
        <source>Nothing is announced yet.</source>
        <translation>尚未唱标。</translation>
    </message>
    <message>
        <source>{n} bid(s) announced.</source>
        <translation>已唱标 {n} 份。</translation>
    </message>
    <message>
        <source>{n} with figures and words that differ: the amount in words prevails (87号令 Art. 59).</source>
        <translation>其中 {n} 份大小写金额不一致：以大写金额为准（87号令第五十九条）。</translation>
    </message>
</context>
<context>
    <name>AnnouncementTable</name>
    <message>
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Price in figures</source>
        <translation>投标报价（小写）</translation>
    </message>
    <message>
        <source>Price in words</source>
        <translation>投标报价（大写）</translation>
    </message>
    <message>
        <source>Price that counts</source>
        <translation>有效报价</translation>
    </message>
    <message>
        <source>Duration (days)</source>
        <translation>工期（天）</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>Other announced items</source>
        <translation>其他唱标内容</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Announcement (唱标)</source>
        <translation>唱标</translation>
    </message>
    <message>
        <source>— (unreadable)</source>
        <translation>—（无法识别）</translation>
    </message>
</context>
<context>
    <name>Bidder</name>
    <message>
        <source>Qualification documents</source>
        <translation>资格证明文件</translation>
    </message>
    <message>
        <source>Commercial documents</source>
        <translation>商务文件</translation>
    </message>
    <message>
        <source>Technical documents</source>
        <translation>技术文件</translation>
    </message>
    <message>
        <source>Other documents</source>
        <translation>其他材料</translation>
    </message>
    <message>
        <source>{label} is required</source>
        <translation>{label}为必填项</translation>
    </message>
    <message>
        <source>{label} is longer than {max_length} characters</source>
        <translation>{label}超过 {max_length} 个字符</translation>
    </message>
    <message>
        <source>Not an amount in yuan, e.g. 1,280,000.00</source>
        <translation>不是以元为单位的金额，例如 1,280,000.00</translation>
    </message>
    <message>
        <source>Not a whole number</source>
        <translation>不是整数</translation>
    </message>
    <message>
        <source>Not a number</source>
        <translation>不是数字</translation>
    </message>
    <message>
        <source>Not a percentage from 0 to 100</source>
        <translation>不是 0 到 100 之间的百分比</translation>
    </message>
    <message>
        <source>Not a whole number of days</source>
        <translation>不是整数天数</translation>
    </message>
    <message>
        <source>Not a date written YYYY-MM-DD</source>
        <translation>日期格式应为 YYYY-MM-DD</translation>
    </message>
    <message>
        <source>{label} contains characters that cannot be printed</source>
        <translation>{label}含有无法打印的字符</translation>
    </message>
    <message>
        <source>Not an amount in capital numerals (大写), e.g. 人民币壹佰万元整</source>
        <translation>不是大写金额，例如 人民币壹佰万元整</translation>
    </message>
    <message>
        <source>The words say {words_value} but the figures say {figures}; the words prevail</source>
        <translation>大写金额为 {words_value}，小写金额为 {figures}，二者不一致；以大写金额为准</translation>
    </message>
    <message>
        <source>The lines add up to {computed}, the total says {stated}</source>
        <translation>分项合计为 {computed}，总价填写为 {stated}，二者不一致</translation>
    </message>
    <message>
        <source>Quantity × unit price does not equal the line total</source>
        <translation>数量 × 单价 不等于合价</translation>
    </message>
    <message>
        <source>The quantity is not a number</source>
        <translation>数量不是数字</translation>
    </message>
    <message>
        <source>Add at least one priced line</source>
        <translation>请至少填写一行报价明细</translation>
    </message>
    <message>
        <source>The bid letter says {letter}, the price schedule {schedule}; the price schedule prevails</source>
        <translation>投标函报价为 {letter}，开标一览表为 {schedule}，二者不一致；以开标一览表为准</translation>
    </message>
    <message>
        <source>{label}: the bid letter says {letter}, the price schedule {schedule}</source>
        <translation>{label}：投标函为 {letter}，开标一览表为 {schedule}</translation>
    </message>
    <message>
        <source>The bid deadline ({deadline}) has passed: the server will refuse the bid.</source>
        <translation>投标截止时间（{deadline}）已过：平台将拒收投标文件。</translation>
    </message>
    <message>
        <source>The forms have {count} problem(s): fix them on the Forms page first.</source>
        <translation>表单中有 {count} 处问题：请先在“表单”页改正。</translation>
    </message>
    <message>
        <source>Scoring criterion “{criterion}” is not linked to any page: the experts may not find your answer.</source>
        <translation>评分点“{criterion}”未关联到任何页码：评标专家可能找不到相应内容。</translation>
    </message>
    <message>
        <source>Scoring criterion “{criterion}” changed in the clarification: check its link.</source>
        <translation>评分点“{criterion}”在答疑中有变更：请核对其关联。</translation>
    </message>
    <message>
        <source>Your encryption certificate expires {expires}, before the opening ({opening}): do not renew it before the opening, or you cannot decrypt your own bid.</source>
        <translation>您的加密证书于 {expires} 到期，早于开标时间（{opening}）：开标前请勿更新证书，否则将无法解密自己的投标文件。</translation>
    </message>
    <message>
        <source>The opening certificate of {subject} expires before the opening.</source>
        <translation>{subject} 的开标证书在开标前到期。</translation>
    </message>
</context>
<context>
    <name>BidderHome</name>
    <message>
        <source>Prepare and submit bids</source>
        <translation>编制并递交投标文件</translation>
    </message>
    <message>
        <source>1. Check your dongle: it must sign and decrypt, and its certificate must be trusted and valid until the opening.
2. Sign in with it.
3. Choose a tender, fill in the forms, seal and submit before the deadline (server time, shown below).</source>
        <translation>1. 检查您的CA锁：它必须能签名和解密，证书必须受信任并在开标之前一直有效。
2. 用CA锁登录。
3. 选择招标项目，填写表单，在截止时间（以下方显示的服务器时间为准）之前加密并递交。</translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation>未登录。</translation>
    </message>
    <message>
        <source>Signed in as {name} ({code}).</source>
        <translation>已登录：{name}（{code}）。</translation>
    </message>
    <message>
        <source>&amp;Sign in with the dongle…</source>
        <translation>CA锁登录(&amp;S)…</translation>
    </message>
    <message>
        <source>Sign in with the dongle</source>
        <translation>CA锁登录</translation>
    </message>
    <message>
        <source>&amp;Check my dongle…</source>
        <translation>检测我的CA锁(&amp;C)…</translation>
    </message>
    <message>
        <source>Check my dongle and certificates</source>
        <translation>检测我的CA锁和证书</translation>
    </message>
</context>
<context>
    <name>BidderWorkspace</name>
    <message>
        <source>1 Tenders</source>
        <translation>1 招标项目</translation>
    </message>
    <message>
        <source>2 Forms (投标函, 开标一览表)</source>
        <translation>2 表单（投标函、开标一览表）</translation>
    </message>
    <message>
        <source>3 Documents and links</source>
        <translation>3 文件与评分点关联</translation>
    </message>
    <message>
        <source>4 Seal</source>
        <translation>4 加密</translation>
    </message>
    <message>
        <source>5 Submit and receipt</source>
        <translation>5 递交与回执</translation>
    </message>
    <message>
        <source>My bids</source>
        <translation>我的投标</translation>
    </message>
    <message>
        <source>Opening (开标)</source>
        <translation>开标</translation>
    </message>
    <message>
        <source>Clarifications (澄清)</source>
        <translation>澄清</translation>
    </message>
    <message>
        <source>Steps of the bid</source>
        <translation>投标步骤</translation>
    </message>
</context>
<context>
    <name>BookPreviewDialog</name>
    <message>
        <source>Preview of the whole bid</source>
        <translation>整本投标文件预览</translation>
    </message>
    <message>
        <source>The bid as it will be sealed: {pages} pages</source>
        <translation>加密封装时的投标文件：共 {pages} 页</translation>
    </message>
    <message>
        <source>The enterprise seal goes on page {page}</source>
        <translation>单位公章盖在第 {page} 页</translation>
    </message>
    <message>
        <source>, beside it the legal representative&apos;s seal ({name})</source>
        <translation>，其左侧为法定代表人章（{name}）</translation>
    </message>
    <message>
        <source>{seals}. Every page carries a page seal and a slice of the riding seal (骑缝章, {groups} seal(s) across the right edges); both signatures cover them. Contents and bookmarks list every document with its page.</source>
        <translation>{seals}。每页加盖逐页章，右侧边缘加盖骑缝章（共 {groups} 枚）；两个电子签章均覆盖这些印章。目录和书签列出每份文件及其页码。</translation>
    </message>
</context>
<context>
    <name>CaDoctor</name>
    <message>
        <source>Dongles and certificates</source>
        <translation>CA锁与证书</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Refresh the list of dongles</source>
        <translation>刷新CA锁列表</translation>
    </message>
    <message>
        <source>PKCS#11 module</source>
        <translation>PKCS#11 模块</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>PKCS#11 modules</source>
        <translation>PKCS#11 模块</translation>
    </message>
    <message>
        <source>Dongle / certificate</source>
        <translation>CA锁 / 证书</translation>
    </message>
    <message>
        <source>Next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Dongles and their certificates</source>
        <translation>CA锁及其证书</translation>
    </message>
    <message>
        <source>Certificate details</source>
        <translation>证书详情</translation>
    </message>
    <message>
        <source>&amp;Test this dongle</source>
        <translation>一键检测此CA锁(&amp;T)</translation>
    </message>
    <message>
        <source>Test this dongle: sign, encrypt and decrypt</source>
        <translation>检测此CA锁：签名、加密和解密</translation>
    </message>
    <message>
        <source>Signs a test message and verifies it, then encrypts a message to the encryption certificate and decrypts it with the dongle. Asks for the PIN once.</source>
        <translation>对测试消息签名并验证，再用加密证书加密一条消息并用CA锁解密。只需输入一次PIN码。</translation>
    </message>
    <message>
        <source>Change &amp;PIN…</source>
        <translation>修改PIN码(&amp;P)…</translation>
    </message>
    <message>
        <source>Change the dongle&apos;s PIN</source>
        <translation>修改CA锁的PIN码</translation>
    </message>
    <message>
        <source>Asks for a new PIN twice, then for the current PIN once.</source>
        <translation>先输入两次新 PIN 码，再输入一次当前 PIN 码。</translation>
    </message>
    <message>
        <source>Result of the dongle test</source>
        <translation>CA锁测试结果</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>概况</translation>
    </message>
    <message>
        <source>Looking for dongles…</source>
        <translation>正在查找CA锁…</translation>
    </message>
    <message>
        <source>looking for dongles</source>
        <translation>正在查找CA锁</translation>
    </message>
    <message>
        <source>Stopped looking for dongles. Press Refresh to look again.</source>
        <translation>已停止查找CA锁。按“刷新”可重新查找。</translation>
    </message>
    <message>
        <source>Press Refresh to look for dongles.</source>
        <translation>请点击“刷新”查找CA锁。</translation>
    </message>
    <message>
        <source>{modules} PKCS#11 modules found, {loaded} loaded; {tokens} dongles.</source>
        <translation>找到 {modules} 个 PKCS#11 模块，已加载 {loaded} 个；CA锁 {tokens} 个。</translation>
    </message>
    <message>
        <source>Trust list: {problem}</source>
        <translation>信任列表：{problem}</translation>
    </message>
    <message>
        <source>Trust list: {paths}</source>
        <translation>信任列表：{paths}</translation>
    </message>
    <message>
        <source>Loaded, {count} dongles</source>
        <translation>已加载，CA锁 {count} 个</translation>
    </message>
    <message>
        <source>Failed to load: {reason}</source>
        <translation>加载失败：{reason}</translation>
    </message>
    <message>
        <source>PIN locked: unblock it with your CA&apos;s tool</source>
        <translation>PIN码已锁定：请用CA机构的工具解锁</translation>
    </message>
    <message>
        <source>One more wrong PIN locks this dongle</source>
        <translation>再输错一次PIN码，此CA锁将被锁定</translation>
    </message>
    <message>
        <source>A wrong PIN was entered recently</source>
        <translation>最近输入过错误的PIN码</translation>
    </message>
    <message>
        <source>No certificate with a key on this dongle</source>
        <translation>此CA锁上没有带密钥的证书</translation>
    </message>
    <message>
        <source>Present</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>{label} — {maker} {model} (serial {serial})</source>
        <translation>{label} — {maker} {model}（序列号 {serial}）</translation>
    </message>
    <message>
        <source>Signing certificate</source>
        <translation>签名证书</translation>
    </message>
    <message>
        <source>Encryption certificate</source>
        <translation>加密证书</translation>
    </message>
    <message>
        <source>Revocation: {how}</source>
        <translation>吊销状态：{how}</translation>
    </message>
    <message>
        <source>Subject: {value}</source>
        <translation>主体：{value}</translation>
    </message>
    <message>
        <source>Issuer: {value}</source>
        <translation>颁发者：{value}</translation>
    </message>
    <message>
        <source>Serial number: {value}</source>
        <translation>序列号：{value}</translation>
    </message>
    <message>
        <source>Valid from: {value}</source>
        <translation>生效时间：{value}</translation>
    </message>
    <message>
        <source>Valid until: {value}</source>
        <translation>到期时间：{value}</translation>
    </message>
    <message>
        <source>Key: {value}</source>
        <translation>密钥：{value}</translation>
    </message>
    <message>
        <source>Validation: {value}</source>
        <translation>验证结果：{value}</translation>
    </message>
    <message>
        <source>Warning: {value}</source>
        <translation>警告：{value}</translation>
    </message>
    <message>
        <source>Dongle: {value}</source>
        <translation>CA锁：{value}</translation>
    </message>
    <message>
        <source>Testing “{label}”: enter the PIN when asked…</source>
        <translation>正在检测“{label}”：请在提示时输入PIN码…</translation>
    </message>
    <message>
        <source>testing the dongle</source>
        <translation>正在测试CA锁</translation>
    </message>
    <message>
        <source>Test stopped: nothing was concluded about this dongle.</source>
        <translation>测试已停止：无法得出此CA锁是否可用的结论。</translation>
    </message>
    <message>
        <source>Stopped waiting for the PIN change. If the dongle had already received it, the new PIN is in effect: run the dongle test to find out.</source>
        <translation>已停止等待 PIN 码修改。如果CA锁此前已收到修改请求，新 PIN 码已经生效：请运行CA锁测试确认。</translation>
    </message>
    <message>
        <source>Changing the PIN of “{label}”: enter the current PIN when asked…</source>
        <translation>正在修改“{label}”的 PIN 码：请在提示时输入当前 PIN 码…</translation>
    </message>
    <message>
        <source>changing the PIN</source>
        <translation>正在修改 PIN 码</translation>
    </message>
    <message>
        <source>The PIN of “{label}” was changed. Use the new PIN from now on.</source>
        <translation>“{label}”的 PIN 码已修改。今后请使用新 PIN 码。</translation>
    </message>
    <message>
        <source>The PIN was not changed.</source>
        <translation>PIN 码未修改。</translation>
    </message>
    <message>
        <source>sign</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>verify the signature</source>
        <translation>验证签名</translation>
    </message>
    <message>
        <source>encrypt</source>
        <translation>加密</translation>
    </message>
    <message>
        <source>decrypt with the dongle</source>
        <translation>用CA锁解密</translation>
    </message>
    <message>
        <source>The dongle itself works, but its certificate is not acceptable: {status} Bids signed or sealed with it will be refused.</source>
        <translation>CA锁本身工作正常，但其证书不可用：{status}用它签名或封装的投标文件将被拒绝。</translation>
    </message>
    <message>
        <source>the dongle&apos;s certificates were not examined.</source>
        <translation>未检查CA锁中的证书。</translation>
    </message>
    <message>
        <source>The dongle itself works (sign, encrypt, decrypt), but whether the platform accepts its certificates could not be fully checked: {status} Check this before you rely on it for a bid.</source>
        <translation>CA锁本身工作正常（签名、加密、解密），但无法完全确认平台是否接受其证书：{status}投标前请先核实。</translation>
    </message>
    <message>
        <source>Test passed: this dongle can sign your bid and open it at the opening.</source>
        <translation>检测通过：此CA锁可以为投标文件签名，并能在开标时解密。</translation>
    </message>
    <message>
        <source>Test failed: do not rely on this dongle for a bid until this is fixed.</source>
        <translation>检测未通过：问题解决之前，请勿用此CA锁投标。</translation>
    </message>
</context>
<context>
    <name>CaDoctorDialog</name>
    <message>
        <source>Dongles and certificates — bidclient</source>
        <translation>CA锁与证书 — bidclient</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>CertStatus</name>
    <message>
        <source>Trusted as far as known (valid until {date}), but its revocation could not be fully checked.</source>
        <translation>就目前所知受信任（有效期至 {date}），但无法完全检查其吊销状态。</translation>
    </message>
    <message>
        <source>Check the network connection and look again, or get your CA&apos;s current revocation list into the trust list. The details say which check is missing.</source>
        <translation>请检查网络连接后重新查看，或将 CA 最新的证书吊销列表放入信任列表。详细信息中列出了缺少哪项检查。</translation>
    </message>
    <message>
        <source>Trusted, but expires in {days} days ({date}).</source>
        <translation>受信任，但将在 {days} 天后（{date}）到期。</translation>
    </message>
    <message>
        <source>Renew only after the opening of the tenders you have bid on (a renewed dongle cannot open bids sealed with the old certificate); if no bid is waiting for an opening, renew now.</source>
        <translation>请在已投标项目开标之后再更新证书（更新后的CA锁无法解密用旧证书加密的投标文件）；如果没有等待开标的投标，请立即更新。</translation>
    </message>
    <message>
        <source>Renew only after the opening of tenders you have bid on: bids sealed now must be opened with this certificate.</source>
        <translation>请在已投标项目开标之后再更新证书：现在加密的投标文件必须用此证书解密。</translation>
    </message>
    <message>
        <source>Trusted: valid until {date}.</source>
        <translation>受信任：有效期至 {date}。</translation>
    </message>
    <message>
        <source>Nothing to do.</source>
        <translation>无需操作。</translation>
    </message>
    <message>
        <source>Cannot be checked: no trust list is configured.</source>
        <translation>无法检查：未配置信任列表。</translation>
    </message>
    <message>
        <source>Sign in to the platform and accept its trust list, or choose File ▸ Get the platform&apos;s trust list.</source>
        <translation>请登录交易平台并接受其信任列表，或选择“文件 ▸ 获取平台信任列表”。</translation>
    </message>
    <message>
        <source>Expired on {date}.</source>
        <translation>已于 {date} 过期。</translation>
    </message>
    <message>
        <source>Renew the certificate with your CA before you sign or seal anything.</source>
        <translation>请先到CA机构更新证书，再进行签名或加密。</translation>
    </message>
    <message>
        <source>Not valid yet.</source>
        <translation>尚未生效。</translation>
    </message>
    <message>
        <source>Check the computer&apos;s date and time; if they are right, wait until the certificate becomes valid or ask your CA.</source>
        <translation>请检查电脑的日期和时间；如果无误，请等待证书生效或咨询CA机构。</translation>
    </message>
    <message>
        <source>Revoked by the CA that issued it.</source>
        <translation>已被颁发它的CA机构吊销。</translation>
    </message>
    <message>
        <source>Do not use this dongle. Ask your CA for a new certificate.</source>
        <translation>请勿使用此CA锁，请向CA机构申请新证书。</translation>
    </message>
    <message>
        <source>Issued by a CA that is not on the platform&apos;s trust list.</source>
        <translation>颁发此证书的CA机构不在平台的信任列表中。</translation>
    </message>
    <message>
        <source>Use a dongle from a CA the platform recognises, or ask the platform to add this CA.</source>
        <translation>请使用平台认可的CA机构的CA锁，或请平台添加此CA机构。</translation>
    </message>
    <message>
        <source>Not allowed for this use (wrong key usage).</source>
        <translation>不允许用于此用途（密钥用法不符）。</translation>
    </message>
    <message>
        <source>Use the dongle&apos;s other certificate, or ask your CA for one issued for this purpose.</source>
        <translation>请使用CA锁上的另一张证书，或向CA机构申请用于此用途的证书。</translation>
    </message>
    <message>
        <source>Its revocation status could not be checked.</source>
        <translation>无法检查其吊销状态。</translation>
    </message>
    <message>
        <source>Check the network connection and try again.</source>
        <translation>请检查网络连接后重试。</translation>
    </message>
    <message>
        <source>Not valid.</source>
        <translation>无效。</translation>
    </message>
    <message>
        <source>Show the details to your CA&apos;s support.</source>
        <translation>请将详细信息提供给CA机构的客服。</translation>
    </message>
</context>
<context>
    <name>CheckInPage</name>
    <message>
        <source>Bidders who checked in (签到)</source>
        <translation>已签到的投标人</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Checked in at</source>
        <translation>签到时间</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>迟到</translation>
    </message>
    <message>
        <source>Check-in list</source>
        <translation>签到列表</translation>
    </message>
    <message>
        <source>Lock and count</source>
        <translation>锁定并清点</translation>
    </message>
    <message>
        <source>Lock the opening and count the bids</source>
        <translation>锁定开标并清点投标文件</translation>
    </message>
    <message>
        <source>At or after the bid deadline by the server clock: no bid is accepted after it, and the bids in are counted.</source>
        <translation>以服务器时钟为准，在投标截止时间及以后进行：此后不再接收投标，并清点已递交的投标文件。</translation>
    </message>
    <message>
        <source>late</source>
        <translation>迟到</translation>
    </message>
    <message>
        <source>Not counted yet: the host locks the opening at the deadline.</source>
        <translation>尚未清点：主持人在投标截止时锁定开标。</translation>
    </message>
    <message>
        <source>{n} bid(s) counted: fewer than {min}, so there is NO OPENING (招标投标法实施条例 Art. 44).</source>
        <translation>清点到 {n} 份投标，少于 {min} 份，不予开标（招标投标法实施条例第四十四条）。</translation>
    </message>
    <message>
        <source>{n} bids counted.</source>
        <translation>共清点投标文件 {n} 份。</translation>
    </message>
</context>
<context>
    <name>ClarificationsPage</name>
    <message>
        <source>Questions an evaluation committee put to you about your bid, through the platform. Answer each in writing; your answer is signed with your dongle and becomes part of the evaluation record.</source>
        <translation>评标委员会通过平台就您的投标文件提出的澄清问题。请逐一书面答复；答复以您的数字证书签名，并纳入评标记录。</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the clarification requests again</source>
        <translation>重新读取澄清问题</translation>
    </message>
    <message>
        <source>Asked</source>
        <translation>提出时间</translation>
    </message>
    <message>
        <source>Bid</source>
        <translation>投标</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Clarification requests put to you</source>
        <translation>向您提出的澄清问题</translation>
    </message>
    <message>
        <source>The committee&apos;s question</source>
        <translation>评标委员会的问题</translation>
    </message>
    <message>
        <source>Your answer</source>
        <translation>您的答复</translation>
    </message>
    <message>
        <source>Your answer to the question above.</source>
        <translation>对上述问题的答复。</translation>
    </message>
    <message>
        <source>A clarification may only explain your bid: it may not change its substance (price, offer, commitments). An answer cannot be replaced once sent.</source>
        <translation>澄清只能对投标文件作出说明，不得改变投标文件的实质性内容（报价、响应内容、承诺等）。答复一经提交不可更改。</translation>
    </message>
    <message>
        <source>Sign and send the answer</source>
        <translation>签名并提交答复</translation>
    </message>
    <message>
        <source>Sign the answer with your dongle and send it</source>
        <translation>用数字证书签名答复并提交</translation>
    </message>
    <message>
        <source>Signing the answer… enter your dongle&apos;s PIN.</source>
        <translation>正在签名答复……请输入数字证书 PIN 码。</translation>
    </message>
    <message>
        <source>Your answer is signed and sent; the committee sees it now.</source>
        <translation>答复已签名提交，评标委员会现在可以看到。</translation>
    </message>
    <message>
        <source>waiting for your answer</source>
        <translation>等待您答复</translation>
    </message>
    <message>
        <source>answered %1</source>
        <translation>已于 %1 答复</translation>
    </message>
    <message>
        <source>No clarification request has been put to you.</source>
        <translation>没有向您提出的澄清问题。</translation>
    </message>
</context>
<context>
    <name>ClarificationsPanel</name>
    <message>
        <source>Bid</source>
        <translation>投标</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Asked</source>
        <translation>提出时间</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>答复时间</translation>
    </message>
    <message>
        <source>Clarification requests of the session</source>
        <translation>本次评标的澄清问题</translation>
    </message>
    <message>
        <source>The chosen request&apos;s question and answer</source>
        <translation>所选澄清的问题与答复</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the clarification requests again</source>
        <translation>重新读取澄清问题</translation>
    </message>
    <message>
        <source>Ask the bidder of a bid to clarify (in writing, through the platform)</source>
        <translation>要求投标人澄清（通过平台书面提出）</translation>
    </message>
    <message>
        <source>The bid whose bidder is asked</source>
        <translation>要求澄清的投标</translation>
    </message>
    <message>
        <source>The question to the bidder</source>
        <translation>向投标人提出的问题</translation>
    </message>
    <message>
        <source>The question: what is unclear in the bid. A clarification may not change the bid&apos;s substance (price, offer).</source>
        <translation>问题：投标文件中含义不明确之处。澄清不得改变投标文件的实质性内容（报价、响应内容）。</translation>
    </message>
    <message>
        <source>Send the question</source>
        <translation>发出问题</translation>
    </message>
    <message>
        <source>Send the question to the bidder</source>
        <translation>向投标人发出问题</translation>
    </message>
    <message>
        <source>Questions are sent during the review and the scoring; the bidder answers signed with its dongle, and the answer becomes part of the record.</source>
        <translation>澄清问题在资格性/符合性审查和详细评审阶段提出；投标人以数字证书签名答复，答复纳入评标记录。</translation>
    </message>
    <message>
        <source>asked, waiting for the answer</source>
        <translation>已提出，等待答复</translation>
    </message>
    <message>
        <source>answered · signed by %1 (verified)</source>
        <translation>已答复 · %1 签名（已验证）</translation>
    </message>
    <message>
        <source>answered · signature NOT verified</source>
        <translation>已答复 · 签名未通过验证</translation>
    </message>
    <message>
        <source>%1 requests, %2 answered</source>
        <translation>共 %1 个澄清，已答复 %2 个</translation>
    </message>
    <message>
        <source>No clarification requests.</source>
        <translation>没有澄清问题。</translation>
    </message>
    <message>
        <source>Question to %1, asked %2:</source>
        <translation>向 %1 提出的问题（%2）：</translation>
    </message>
    <message>
        <source>Not answered yet.</source>
        <translation>尚未答复。</translation>
    </message>
    <message>
        <source>Waiting for the bidder&apos;s signed answer.</source>
        <translation>等待投标人签名答复。</translation>
    </message>
    <message>
        <source>Answer, %1:</source>
        <translation>答复（%1）：</translation>
    </message>
    <message>
        <source>Signed by %1 (verified)</source>
        <translation>%1 签名（已验证）</translation>
    </message>
    <message>
        <source>The signature of this answer is NOT verified: %1</source>
        <translation>该答复的签名未通过验证：%1</translation>
    </message>
</context>
<context>
    <name>CommitteeWorkspace</name>
    <message>
        <source>Opening committee (开标委员会)</source>
        <translation>开标委员会</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Committee</source>
        <translation>委员会</translation>
    </message>
    <message>
        <source>Tender</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>k of n</source>
        <translation>门限 k / 成员 n</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>I am member</source>
        <translation>我的成员序号</translation>
    </message>
    <message>
        <source>Next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Key ceremony</source>
        <translation>密钥生成仪式</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Dealt</source>
        <translation>已分发</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Deal my shares…</source>
        <translation>分发我的密钥份额…</translation>
    </message>
    <message>
        <source>Check the shares I received…</source>
        <translation>核验我收到的份额…</translation>
    </message>
    <message>
        <source>Acknowledge the committee key…</source>
        <translation>确认委员会公钥…</translation>
    </message>
    <message>
        <source>Complain about this member&apos;s share…</source>
        <translation>投诉该成员的份额…</translation>
    </message>
    <message>
        <source>Answer the complaint: disclose my share…</source>
        <translation>回应投诉：公开我的份额…</translation>
    </message>
    <message>
        <source>Remedy at the opening (补救方案)</source>
        <translation>开标补救解密（补救方案）</translation>
    </message>
    <message>
        <source>Bids whose bidders could not decrypt them: k members&apos; partial results open them. Your dongle recomputes your key share in memory for each one; it is never stored.</source>
        <translation>投标人未能自行解密的投标文件，由 k 名成员的部分解密结果共同解开。您的 CA 锁每次仅在内存中重新计算您的密钥份额，绝不保存。</translation>
    </message>
    <message>
        <source>Bid No.</source>
        <translation>投标序号</translation>
    </message>
    <message>
        <source>Submission</source>
        <translation>投标记录</translation>
    </message>
    <message>
        <source>Partial results</source>
        <translation>部分解密结果</translation>
    </message>
    <message>
        <source>Contribute my partial result…</source>
        <translation>提交我的部分解密结果…</translation>
    </message>
    <message>
        <source>Refresh the committees</source>
        <translation>刷新委员会列表</translation>
    </message>
    <message>
        <source>My committees</source>
        <translation>我参加的委员会</translation>
    </message>
    <message>
        <source>Committee members</source>
        <translation>委员会成员</translation>
    </message>
    <message>
        <source>Deal my shares</source>
        <translation>分发我的密钥份额</translation>
    </message>
    <message>
        <source>Check the shares I received</source>
        <translation>核验我收到的份额</translation>
    </message>
    <message>
        <source>Acknowledge the committee key</source>
        <translation>确认委员会公钥</translation>
    </message>
    <message>
        <source>Member whose share is bad</source>
        <translation>份额有误的成员</translation>
    </message>
    <message>
        <source>Complain about this member&apos;s share</source>
        <translation>投诉该成员的份额</translation>
    </message>
    <message>
        <source>Disclose my share to answer the complaint</source>
        <translation>公开我的份额以回应投诉</translation>
    </message>
    <message>
        <source>Bids awaiting partial results</source>
        <translation>等待部分解密结果的投标文件</translation>
    </message>
    <message>
        <source>Contribute my partial result</source>
        <translation>提交我的部分解密结果</translation>
    </message>
    <message>
        <source>Signed in as {who}</source>
        <translation>当前登录：{who}</translation>
    </message>
    <message>
        <source>Sign in with your dongle to take part in a committee.</source>
        <translation>请使用 CA 锁登录后参与开标委员会工作。</translation>
    </message>
    <message>
        <source>dealing</source>
        <translation>分发份额中</translation>
    </message>
    <message>
        <source>checking shares</source>
        <translation>核验份额中</translation>
    </message>
    <message>
        <source>disputed (a complaint is open)</source>
        <translation>有争议（存在未处理的投诉）</translation>
    </message>
    <message>
        <source>complete</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>已失败</translation>
    </message>
    <message>
        <source>abandoned</source>
        <translation>已废弃</translation>
    </message>
    <message>
        <source>Deal your shares.</source>
        <translation>请分发您的密钥份额。</translation>
    </message>
    <message>
        <source>Waiting for member(s) {numbers} to deal.</source>
        <translation>等待成员 {numbers} 分发份额。</translation>
    </message>
    <message>
        <source>Check your shares, then acknowledge.</source>
        <translation>请核验您的份额，然后确认。</translation>
    </message>
    <message>
        <source>Waiting for the other members to acknowledge.</source>
        <translation>等待其他成员确认。</translation>
    </message>
    <message>
        <source>A member complains about your share: answer by disclosing it.</source>
        <translation>有成员投诉您分发的份额：请公开该份额予以回应。</translation>
    </message>
    <message>
        <source>Waiting for member(s) {numbers} to answer a complaint.</source>
        <translation>等待成员 {numbers} 回应投诉。</translation>
    </message>
    <message>
        <source>Ready: the committee can open a bid at the opening.</source>
        <translation>已就绪：开标时委员会可解密投标文件。</translation>
    </message>
    <message>
        <source>The agency names a new committee.</source>
        <translation>请代理机构重新组建委员会。</translation>
    </message>
    <message>
        <source>Committee {id} for tender {tender}: {state}. {k} of {n} members open a bid.</source>
        <translation>项目 {tender} 的委员会 {id}：{state}。{n} 名成员中任意 {k} 名可解密投标文件。</translation>
    </message>
    <message>
        <source>member {n} ({name})</source>
        <translation>成员 {n}（{name}）</translation>
    </message>
    <message>
        <source>Member {m} complains that the share from {who} is bad; waiting for {who} to disclose it.</source>
        <translation>成员 {m} 投诉{who}分发的份额有误；等待{who}公开该份额。</translation>
    </message>
    <message>
        <source>Member {m}&apos;s complaint about {who}: settled, the disclosed share checks out.</source>
        <translation>成员 {m} 对{who}的投诉：已处理，公开的份额核验无误。</translation>
    </message>
    <message>
        <source>Member {m}&apos;s complaint about {who}: {who} is at fault, the disclosed share does not match its commitments.</source>
        <translation>成员 {m} 对{who}的投诉：{who}存在过错，其公开的份额与其承诺值不符。</translation>
    </message>
    <message>
        <source>The ceremony failed: {reason}</source>
        <translation>密钥生成仪式失败：{reason}</translation>
    </message>
    <message>
        <source>Every member acknowledged: the committee certificate is issued.</source>
        <translation>全体成员均已确认：委员会证书已签发。</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>(you)</source>
        <translation>（本人）</translation>
    </message>
    <message>
        <source>Member {n}: {name}</source>
        <translation>成员 {n}：{name}</translation>
    </message>
    <message>
        <source>{n} of {k} arrived</source>
        <translation>已收到 {n} / {k}</translation>
    </message>
    <message>
        <source>(yours included)</source>
        <translation>（含您的结果）</translation>
    </message>
    <message>
        <source>awaiting partial results</source>
        <translation>等待部分解密结果</translation>
    </message>
    <message>
        <source>enough: the host can open it</source>
        <translation>结果已足够：主持人可解密</translation>
    </message>
    <message>
        <source>opened by the committee</source>
        <translation>已由委员会解密</translation>
    </message>
    <message>
        <source>Your shares are dealt.</source>
        <translation>您的份额已分发。</translation>
    </message>
    <message>
        <source>Dealing… enter your dongle&apos;s PIN.</source>
        <translation>正在分发…请输入 CA 锁 PIN 码。</translation>
    </message>
    <message>
        <source>⚠ The share from member {numbers} does not match its commitments. Complain about it: the member must then disclose it in public.</source>
        <translation>⚠ 成员 {numbers} 分发的份额与其承诺值不符。请提出投诉：该成员须公开此份额。</translation>
    </message>
    <message>
        <source>✓ Every share you received matches its sender&apos;s commitments: you can acknowledge.</source>
        <translation>✓ 您收到的所有份额均与发送方的承诺值相符：可以确认。</translation>
    </message>
    <message>
        <source>Checking your shares… enter your dongle&apos;s PIN.</source>
        <translation>正在核验份额…请输入 CA 锁 PIN 码。</translation>
    </message>
    <message>
        <source>Your acknowledgment is signed and sent.</source>
        <translation>您的确认已签名并提交。</translation>
    </message>
    <message>
        <source>Checking and signing… enter your dongle&apos;s PIN.</source>
        <translation>正在核验并签名…请输入 CA 锁 PIN 码。</translation>
    </message>
    <message>
        <source>Your complaint about member {n} is signed and sent.</source>
        <translation>您对成员 {n} 的投诉已签名并提交。</translation>
    </message>
    <message>
        <source>Signing the complaint… enter your dongle&apos;s PIN.</source>
        <translation>正在签署投诉…请输入 CA 锁 PIN 码。</translation>
    </message>
    <message>
        <source>Your share is disclosed.</source>
        <translation>您的份额已公开。</translation>
    </message>
    <message>
        <source>Disclosing… enter your dongle&apos;s PIN.</source>
        <translation>正在公开…请输入 CA 锁 PIN 码。</translation>
    </message>
    <message>
        <source>Computing your partial result… confirm, then enter your dongle&apos;s PIN.</source>
        <translation>正在计算部分解密结果…请确认，然后输入 CA 锁 PIN 码。</translation>
    </message>
    <message>
        <source>Your partial result is sent: {n} of {k} arrived.</source>
        <translation>您的部分解密结果已提交：已收到 {n} / {k}。</translation>
    </message>
</context>
<context>
    <name>ConnectionIndicator</name>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Connected: updates arrive as they happen.</source>
        <translation>已连接：更新即时送达。</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>正在重新连接…</translation>
    </message>
    <message>
        <source>The connection dropped; reconnecting. Nothing is missed: every update arrives once the connection is back.</source>
        <translation>连接已中断，正在重新连接。不会遗漏任何更新：连接恢复后所有更新都会送达。</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>No connection to the server; still trying. Updates missed meanwhile arrive once it is back.</source>
        <translation>未连接到服务器，仍在重试。期间错过的更新会在连接恢复后送达。</translation>
    </message>
</context>
<context>
    <name>DeadlineBadge</name>
    <message>
        <source>{tender} — deadline {deadline} — {left}</source>
        <translation>{tender} — 投标截止 {deadline} — {left}</translation>
    </message>
    <message>
        <source>(this computer&apos;s clock; sign in for the server&apos;s)</source>
        <translation>（按本机时钟；登录后按服务器时钟）</translation>
    </message>
</context>
<context>
    <name>DeclareRelationDialog</name>
    <message>
        <source>Declare a relation (回避, Art. 12)</source>
        <translation>申报回避关系（第十二条）</translation>
    </message>
    <message>
        <source>&amp;Relation:</source>
        <translation>关系类型(&amp;R)：</translation>
    </message>
    <message>
        <source>Kind of relation</source>
        <translation>回避关系类型</translation>
    </message>
    <message>
        <source>&amp;Enterprise (统一社会信用代码):</source>
        <translation>单位（统一社会信用代码）(&amp;E)：</translation>
    </message>
    <message>
        <source>The enterprise&apos;s 统一社会信用代码</source>
        <translation>该单位的统一社会信用代码</translation>
    </message>
    <message>
        <source>18 characters, from its business licence</source>
        <translation>18 位，见营业执照</translation>
    </message>
    <message>
        <source>&amp;Note:</source>
        <translation>说明(&amp;N)：</translation>
    </message>
    <message>
        <source>Note on the relation</source>
        <translation>回避关系说明</translation>
    </message>
    <message>
        <source>For example: my brother works there as project manager</source>
        <translation>例如：本人弟弟在该单位任项目经理</translation>
    </message>
    <message>
        <source>Ends:</source>
        <translation>截止：</translation>
    </message>
    <message>
        <source>&amp;On</source>
        <translation>截至(&amp;O)</translation>
    </message>
    <message>
        <source>The relation ends on a date</source>
        <translation>回避关系有截止日期</translation>
    </message>
    <message>
        <source>The day the relation ends</source>
        <translation>回避关系截止日期</translation>
    </message>
    <message>
        <source>It stops excluding you at the start of that day, {zone}.</source>
        <translation>自该日零时（{zone}）起不再回避。</translation>
    </message>
    <message>
        <source>&amp;Declare…</source>
        <translation>申报(&amp;D)…</translation>
    </message>
    <message>
        <source>Declare this relation</source>
        <translation>申报此回避关系</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel the declaration</source>
        <translation>取消申报</translation>
    </message>
    <message>
        <source>Type the enterprise&apos;s 统一社会信用代码 (18 characters).</source>
        <translation>请输入该单位的统一社会信用代码（18 位）。</translation>
    </message>
    <message>
        <source>{count} of 18 characters.</source>
        <translation>已输入 {count} 位，共 18 位。</translation>
    </message>
    <message>
        <source>Not a valid 统一社会信用代码: the check character (the last) does not match, or a letter is one such codes never use. Copy it again from the business licence.</source>
        <translation>不是有效的统一社会信用代码：校验码（最后一位）不符，或含有此类代码不使用的字母。请按营业执照重新录入。</translation>
    </message>
    <message>
        <source> until {time}</source>
        <translation>，截至 {time}</translation>
    </message>
    <message>
        <source>, until you withdraw it</source>
        <translation>，直至您撤回申报</translation>
    </message>
    <message>
        <source>From now on no draw will pick you for any tender{end}.</source>
        <translation>自即日起，任何项目抽取评标专家时均不会抽中您{end}。</translation>
    </message>
    <message>
        <source>that enterprise</source>
        <translation>该单位</translation>
    </message>
    <message>
        <source>From now on no draw for {enterprise} (tenderer or bidder) will pick you{end}.</source>
        <translation>自即日起，{enterprise}作为招标人或投标人的项目抽取评标专家时均不会抽中您{end}。</translation>
    </message>
    <message>
        <source>A penalty names no enterprise: it keeps you out of every draw.</source>
        <translation>受过处罚无需填写单位：处罚期间您不参加任何项目的专家抽取。</translation>
    </message>
    <message>
        <source>✓ A valid 统一社会信用代码.</source>
        <translation>✓ 统一社会信用代码有效。</translation>
    </message>
</context>
<context>
    <name>DecryptionPage</name>
    <message>
        <source>Open the decryption window</source>
        <translation>开启解密</translation>
    </message>
    <message>
        <source>At or after the opening time: bidders then release their keys, encrypted to your dongle&apos;s encryption certificate.</source>
        <translation>在开标时间及以后进行：投标人随后解密并提交密钥，密钥以您CA锁的加密证书加密。</translation>
    </message>
    <message>
        <source>Extend by (minutes):</source>
        <translation>延长（分钟）：</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>Minutes to extend the window by</source>
        <translation>解密时间延长的分钟数</translation>
    </message>
    <message>
        <source>Reason for extending the window</source>
        <translation>延长解密时间的原因</translation>
    </message>
    <message>
        <source>Why (goes into the record), e.g. a bidder&apos;s dongle failed</source>
        <translation>原因（记入开标记录），例如投标人CA锁故障</translation>
    </message>
    <message>
        <source>Extend the window</source>
        <translation>延长解密时间</translation>
    </message>
    <message>
        <source>Extend the decryption window</source>
        <translation>延长解密时间</translation>
    </message>
    <message>
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Submission</source>
        <translation>递交</translation>
    </message>
    <message>
        <source>Decryption</source>
        <translation>解密状态</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Key released at</source>
        <translation>提交密钥时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Decryption state of each bid</source>
        <translation>各投标文件的解密状态</translation>
    </message>
    <message>
        <source>Start the committee remedy</source>
        <translation>启动补救方案</translation>
    </message>
    <message>
        <source>Start the committee remedy for the selected bid</source>
        <translation>对所选投标启动补救方案</translation>
    </message>
    <message>
        <source>For a bid its bidder could not decrypt: k committee members contribute partial results (补救方案).</source>
        <translation>用于投标人无法解密的投标：由开标委员会中 k 名成员各自提交部分解密结果（补救方案）。</translation>
    </message>
    <message>
        <source>Open released bids</source>
        <translation>解密已提交密钥的投标</translation>
    </message>
    <message>
        <source>Open and verify the released bids</source>
        <translation>解密并验证已提交密钥的投标</translation>
    </message>
    <message>
        <source>Decrypts each released bid with your dongle (one PIN), verifies it and reports the result.</source>
        <translation>用您的CA锁（输入一次PIN码）逐份解密已提交密钥的投标，验证后上报结果。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel opening the bids</source>
        <translation>取消解密投标</translation>
    </message>
    <message>
        <source>Progress of opening the bids</source>
        <translation>解密投标的进度</translation>
    </message>
    <message>
        <source>The decryption window is not open.</source>
        <translation>解密尚未开启。</translation>
    </message>
    <message>
        <source>Decryption window: {start} – {end}</source>
        <translation>解密时间：{start} – {end}</translation>
    </message>
    <message>
        <source>%v of %m bids</source>
        <translation>%v / %m 份</translation>
    </message>
    <message>
        <source>Cancelled: the bids opened so far are reported; open the others when you are ready.</source>
        <translation>已取消：已解密的投标结果已上报，其余投标可在准备好后再解密。</translation>
    </message>
    <message>
        <source>No released key is waiting to be opened.</source>
        <translation>没有等待解密的已提交密钥。</translation>
    </message>
    <message>
        <source>{opened} bid(s) opened and verified, {failed} failed (see the reason in the table).</source>
        <translation>已解密并验证 {opened} 份，失败 {failed} 份（原因见表格）。</translation>
    </message>
</context>
<context>
    <name>DocumentsPage</name>
    <message>
        <source>Bid documents by section</source>
        <translation>按章节的投标文件</translation>
    </message>
    <message>
        <source>Attached documents</source>
        <translation>已添加的文件</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <source>Section to attach into</source>
        <translation>添加到的章节</translation>
    </message>
    <message>
        <source>&amp;Attach PDF…</source>
        <translation>添加 PDF(&amp;A)…</translation>
    </message>
    <message>
        <source>Attach PDF files into the chosen section</source>
        <translation>将 PDF 文件添加到所选章节</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove the selected document</source>
        <translation>移除所选文件</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move the selected document up in its section (Ctrl+Up)</source>
        <translation>在本部分内上移所选文件（Ctrl+↑）</translation>
    </message>
    <message>
        <source>Ctrl+Up in the list; the bid is bound in this order</source>
        <translation>在列表中按 Ctrl+↑；投标文件按此顺序装订</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Move the selected document down in its section (Ctrl+Down)</source>
        <translation>在本部分内下移所选文件（Ctrl+↓）</translation>
    </message>
    <message>
        <source>Ctrl+Down in the list; the bid is bound in this order</source>
        <translation>在列表中按 Ctrl+↓；投标文件按此顺序装订</translation>
    </message>
    <message>
        <source>Scoring criteria and their links</source>
        <translation>评分点及其关联</translation>
    </message>
    <message>
        <source>Criterion</source>
        <translation>评分点</translation>
    </message>
    <message>
        <source>Weight %</source>
        <translation>权重 %</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Page</source>
        <translation>页码</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>File that answers the criterion</source>
        <translation>响应该评分点的文件</translation>
    </message>
    <message>
        <source>&amp;Page:</source>
        <translation>页码(&amp;P)：</translation>
    </message>
    <message>
        <source>Page that answers the criterion</source>
        <translation>响应该评分点的页码</translation>
    </message>
    <message>
        <source>&amp;Link</source>
        <translation>关联(&amp;L)</translation>
    </message>
    <message>
        <source>Link the selected criterion to this file and page</source>
        <translation>将所选评分点关联到此文件和页码</translation>
    </message>
    <message>
        <source>Unlink</source>
        <translation>取消关联</translation>
    </message>
    <message>
        <source>Remove the selected criterion&apos;s link</source>
        <translation>取消所选评分点的关联</translation>
    </message>
    <message>
        <source>Keep link</source>
        <translation>保留关联</translation>
    </message>
    <message>
        <source>Keep the link after checking it against the clarification</source>
        <translation>对照答疑核对后保留该关联</translation>
    </message>
    <message>
        <source>Preview of the form as it will be signed: the seal goes in the outlined box when the bid is sealed.</source>
        <translation>表单预览（即将签名的内容）：加密封装时在虚线框处加盖电子印章。</translation>
    </message>
    <message>
        <source>Link to this page</source>
        <translation>链接到此页</translation>
    </message>
    <message>
        <source>Link the selected criterion to the page shown in the viewer</source>
        <translation>将所选评分点链接到查看器中显示的页面</translation>
    </message>
    <message>
        <source>I have read the changes</source>
        <translation>我已阅读变更内容</translation>
    </message>
    <message>
        <source>Confirm that you have read the clarification&apos;s changes</source>
        <translation>确认已阅读答疑变更内容</translation>
    </message>
    <message>
        <source>Bid letter (signed form)</source>
        <translation>投标函（已签章表单）</translation>
    </message>
    <message>
        <source>Price schedule (signed form)</source>
        <translation>开标一览表（已签章表单）</translation>
    </message>
    <message>
        <source>linked</source>
        <translation>已关联</translation>
    </message>
    <message>
        <source>price schedule (automatic)</source>
        <translation>开标一览表（自动）</translation>
    </message>
    <message>
        <source>NOT LINKED</source>
        <translation>未关联</translation>
    </message>
    <message>
        <source>changed: check the link</source>
        <translation>已变更：请核对关联</translation>
    </message>
    <message>
        <source>{done} of {total} scoring criteria linked</source>
        <translation>已关联 {done}/{total} 个评分点</translation>
    </message>
    <message>
        <source>The tender was clarified (答疑): version {old} → {new}.</source>
        <translation>招标文件已答疑澄清：第 {old} 版 → 第 {new} 版。</translation>
    </message>
    <message>
        <source>New criteria to link: {names}</source>
        <translation>新增待关联评分点：{names}</translation>
    </message>
    <message>
        <source>Changed criteria (check their links): {names}</source>
        <translation>有变更的评分点（请核对关联）：{names}</translation>
    </message>
    <message>
        <source>Removed criteria: {ids}</source>
        <translation>已删除的评分点：{ids}</translation>
    </message>
    <message>
        <source>Changed forms: {ids}</source>
        <translation>有变更的表单：{ids}</translation>
    </message>
    <message>
        <source>The deadline or the opening time changed.</source>
        <translation>投标截止时间或开标时间有变更。</translation>
    </message>
    <message>
        <source>Attach PDF files</source>
        <translation>添加 PDF 文件</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>This form cannot be drawn yet; see the problem above.</source>
        <translation>暂时无法生成此表单，请查看上方的问题。</translation>
    </message>
</context>
<context>
    <name>DocumentsView</name>
    <message>
        <source>Tender document</source>
        <translation>招标文件</translation>
    </message>
    <message>
        <source>Bid to read</source>
        <translation>要阅读的投标文件</translation>
    </message>
    <message>
        <source>Open the bid&apos;s folder…</source>
        <translation>打开投标文件所在文件夹…</translation>
    </message>
    <message>
        <source>Open the folder of the opened bid</source>
        <translation>打开已开标投标文件的文件夹</translation>
    </message>
    <message>
        <source>Get the bids from the platform</source>
        <translation>从平台获取投标文件</translation>
    </message>
    <message>
        <source>Get the opened bids from the platform</source>
        <translation>从平台获取已开启的投标文件</translation>
    </message>
    <message>
        <source>Download the bids the opening host handed to the committee, open them with your dongle and verify every file before they are listed.</source>
        <translation>下载开标主持人移交给评标委员会的投标文件，用您的CA锁解密，并在列出前校验每个文件。</translation>
    </message>
    <message>
        <source>Bids received</source>
        <translation>已接收的投标文件</translation>
    </message>
    <message>
        <source>Bid document</source>
        <translation>投标文件</translation>
    </message>
    <message>
        <source>Where the bid answers each criterion</source>
        <translation>投标文件对各评分项的应答位置</translation>
    </message>
    <message>
        <source>Get the bids from the platform to read this bid here (or open its folder).</source>
        <translation>从平台获取投标文件后即可在此阅读（或打开其文件夹）。</translation>
    </message>
    <message>
        <source>This folder holds no PDF.</source>
        <translation>该文件夹中没有 PDF 文件。</translation>
    </message>
    <message>
        <source>Getting the bids from the platform…</source>
        <translation>正在从平台获取投标文件…</translation>
    </message>
    <message numerus="yes">
        <source>%n bid(s) received and verified.</source>
        <translation>
            <numerusform>已接收并校验 %n 份投标文件。</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 (%3)</source>
        <translation>%1：%2（%3）</translation>
    </message>
    <message>
        <source>The tender has no PDF document.</source>
        <translation>招标文件中没有 PDF 文档。</translation>
    </message>
    <message>
        <source>The folder of the opened bid</source>
        <translation>已开标投标文件的文件夹</translation>
    </message>
    <message>
        <source>%1 → %2, page %3</source>
        <translation>%1 → %2，第 %3 页</translation>
    </message>
</context>
<context>
    <name>DrawPage</name>
    <message>
        <source>Slot {n}: specialty</source>
        <translation>第 {n} 行：专业</translation>
    </message>
    <message>
        <source>Slot {n}: experts</source>
        <translation>第 {n} 行：专家人数</translation>
    </message>
    <message>
        <source>Slot {n}: reserves</source>
        <translation>第 {n} 行：候补人数</translation>
    </message>
    <message>
        <source>Slot {n}: regions (separated by commas; empty: any)</source>
        <translation>第 {n} 行：地区（以逗号分隔；不填为不限）</translation>
    </message>
    <message>
        <source>A committee of {size}: {experts} experts and {reps} of the tenderer&apos;s representatives; {reserves} reserves.</source>
        <translation>评标委员会 {size} 人：专家 {experts} 人，招标人代表 {reps} 人；候补 {reserves} 人。</translation>
    </message>
    <message>
        <source>Sign in with the agency&apos;s dongle first.</source>
        <translation>请先用代理机构的 U 盾登录。</translation>
    </message>
    <message>
        <source>Save the draw record</source>
        <translation>保存抽取记录</translation>
    </message>
    <message>
        <source>Draw record (*.json)</source>
        <translation>抽取记录 (*.json)</translation>
    </message>
    <message>
        <source>Saved the draw record to {file}. Anyone can check it with &apos;bidclient experts verify-draw FILE&apos;.</source>
        <translation>抽取记录已保存到 {file}。任何人都可以用 &apos;bidclient experts verify-draw 文件&apos; 核验。</translation>
    </message>
    <message>
        <source>slot {slot}, {role} #{position}</source>
        <translation>第 {slot} 行，{role}第 {position} 位</translation>
    </message>
    <message>
        <source>Committed: {candidates} candidates, {excluded} excluded</source>
        <translation>已承诺：候选 {candidates} 人，回避 {excluded} 人</translation>
    </message>
    <message>
        <source>Drawn: {members} members, {reserves} reserves; the seed is revealed</source>
        <translation>已抽取：成员 {members} 人，候补 {reserves} 人；随机种子已公开</translation>
    </message>
    <message>
        <source>Accepted: {slot}</source>
        <translation>已接受：{slot}</translation>
    </message>
    <message>
        <source>Declined: {slot}</source>
        <translation>已谢绝：{slot}</translation>
    </message>
    <message>
        <source>No answer in time: {slot}</source>
        <translation>逾期未答复：{slot}</translation>
    </message>
    <message>
        <source>Reserve called: slot {slot}, reserve #{position}</source>
        <translation>已递补：第 {slot} 行，第 {position} 位候补</translation>
    </message>
    <message>
        <source>Slot {slot} has no reserve left: redraw with a reason</source>
        <translation>第 {slot} 行已无候补：请说明理由后重新抽取</translation>
    </message>
    <message>
        <source>Re-checked against the bidders: {n} released</source>
        <translation>已按投标人复核：解除 {n} 人</translation>
    </message>
    <message>
        <source>Replaced by another draw</source>
        <translation>已被新的抽取取代</translation>
    </message>
    <message>
        <source>reserve</source>
        <translation>候补</translation>
    </message>
    <message>
        <source>member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>committed (not drawn yet)</source>
        <translation>已承诺（尚未抽取）</translation>
    </message>
    <message>
        <source>drawn</source>
        <translation>已抽取</translation>
    </message>
    <message>
        <source>replaced by a redraw</source>
        <translation>已被重新抽取取代</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>invited</source>
        <translation>已邀请</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>已谢绝</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>未答复</translation>
    </message>
    <message>
        <source>reserve, not called</source>
        <translation>候补，未递补</translation>
    </message>
    <message>
        <source>released</source>
        <translation>已解除</translation>
    </message>
    <message>
        <source>Look the tender up: its budget and complexity decide the smallest committee.</source>
        <translation>请先查询招标项目：其预算和复杂程度决定评标委员会的最少人数。</translation>
    </message>
    <message>
        <source>not stated</source>
        <translation>未注明</translation>
    </message>
    <message>
        <source>{title}. Budget {budget}; {complex}. Bid deadline {deadline}.</source>
        <translation>{title}。预算 {budget}；{complex}。投标截止时间 {deadline}。</translation>
    </message>
    <message>
        <source>complex project</source>
        <translation>技术复杂项目</translation>
    </message>
    <message>
        <source>not a complex project</source>
        <translation>非技术复杂项目</translation>
    </message>
    <message>
        <source>No draw yet: request one on the left, or open one by its number.</source>
        <translation>尚无抽取：在左侧申请抽取，或按编号打开已有的抽取。</translation>
    </message>
    <message>
        <source>Draw {id} for tender {tender}: {state}. Evaluation {start} – {end}; answers due {due}.</source>
        <translation>招标项目 {tender} 的抽取 {id}：{state}。评标时间 {start} – {end}；答复截止 {due}。</translation>
    </message>
    <message>
        <source>Commitment (SHA-256 of the secret seed): {hash}</source>
        <translation>承诺值（保密随机种子的 SHA-256）：{hash}</translation>
    </message>
    <message>
        <source>Snapshot of the eligible pool, SHA-256: {hash}</source>
        <translation>符合条件的专家快照，SHA-256：{hash}</translation>
    </message>
    <message>
        <source>Seed, revealed at the run: {seed} — {check}</source>
        <translation>随机种子（抽取时公开）：{seed} —— {check}</translation>
    </message>
    <message>
        <source>its SHA-256 is the commitment</source>
        <translation>其 SHA-256 与承诺值一致</translation>
    </message>
    <message>
        <source>its SHA-256 is NOT the commitment</source>
        <translation>其 SHA-256 与承诺值不一致</translation>
    </message>
    <message>
        <source>Seed: secret until the draw is run.</source>
        <translation>随机种子：抽取前保密。</translation>
    </message>
    <message>
        <source>Accepted {n} of {m}</source>
        <translation>已接受 {n} / {m}</translation>
    </message>
    <message>
        <source>Accepted {n} of {m} members.</source>
        <translation>{m} 名成员中已接受 {n} 名。</translation>
    </message>
    <message>
        <source>Nobody is drawn before the run.</source>
        <translation>执行抽取前不产生任何人选。</translation>
    </message>
    <message>
        <source>Names stay hidden from the agency until the evaluation begins ({start}); the supervisor sees them.</source>
        <translation>评标开始（{start}）前，代理机构看不到专家姓名；监督人员可以看到。</translation>
    </message>
    <message>
        <source>The evaluation has begun: the drawn experts.</source>
        <translation>评标已开始：抽取到的专家如下。</translation>
    </message>
    <message>
        <source>Verified: the revealed seed matches the commitment, the snapshot of {candidates} candidates matches its hash, and the seed and snapshot give exactly the recorded {members} members and {reserves} reserves ({skips} skipped with reasons).</source>
        <translation>核验通过：公开的随机种子与承诺值一致，{candidates} 名候选人的快照与其哈希一致，且由种子和快照恰好得出所记录的 {members} 名成员和 {reserves} 名候补（{skips} 人因故跳过，均有理由）。</translation>
    </message>
    <message>
        <source>Request a committee draw</source>
        <translation>申请抽取评标委员会</translation>
    </message>
    <message>
        <source>The draw</source>
        <translation>抽取</translation>
    </message>
    <message>
        <source>&amp;Tender:</source>
        <translation>招标项目(&amp;T)：</translation>
    </message>
    <message>
        <source>Experts per specialty:</source>
        <translation>各专业专家：</translation>
    </message>
    <message>
        <source>Tenderer&apos;s representatives:</source>
        <translation>招标人代表：</translation>
    </message>
    <message>
        <source>Evaluation (start, end):</source>
        <translation>评标时间（开始、结束）：</translation>
    </message>
    <message>
        <source>Answers due by:</source>
        <translation>答复截止：</translation>
    </message>
    <message>
        <source>Place:</source>
        <translation>评标地点：</translation>
    </message>
    <message>
        <source>Tenderer&apos;s USCC (if not the agency):</source>
        <translation>招标人统一社会信用代码（非代理机构时）：</translation>
    </message>
    <message>
        <source>Redraw reason:</source>
        <translation>重新抽取理由：</translation>
    </message>
    <message>
        <source>the tender number, e.g. ZB-2027-001</source>
        <translation>项目编号，如 ZB-2027-001</translation>
    </message>
    <message>
        <source>Tender number</source>
        <translation>项目编号</translation>
    </message>
    <message>
        <source>&amp;Look up</source>
        <translation>查询(&amp;L)</translation>
    </message>
    <message>
        <source>Look up the tender&apos;s budget and the specialties</source>
        <translation>查询项目预算和专业列表</translation>
    </message>
    <message>
        <source>Specialty</source>
        <translation>专业</translation>
    </message>
    <message>
        <source>Experts</source>
        <translation>专家人数</translation>
    </message>
    <message>
        <source>Reserves</source>
        <translation>候补人数</translation>
    </message>
    <message>
        <source>Regions (empty: any)</source>
        <translation>地区（不填为不限）</translation>
    </message>
    <message>
        <source>Experts per specialty</source>
        <translation>各专业专家</translation>
    </message>
    <message>
        <source>&amp;Add a specialty</source>
        <translation>添加专业(&amp;A)</translation>
    </message>
    <message>
        <source>Add a specialty</source>
        <translation>添加专业</translation>
    </message>
    <message>
        <source>Remove the specialty</source>
        <translation>删除专业</translation>
    </message>
    <message>
        <source>Remove the selected specialty</source>
        <translation>删除所选专业</translation>
    </message>
    <message>
        <source>Tenderer&apos;s representatives on the committee</source>
        <translation>评标委员会中的招标人代表人数</translation>
    </message>
    <message>
        <source>Evaluation starts ({zone})</source>
        <translation>评标开始时间（{zone}）</translation>
    </message>
    <message>
        <source>Evaluation ends ({zone})</source>
        <translation>评标结束时间（{zone}）</translation>
    </message>
    <message>
        <source>Answers due by ({zone})</source>
        <translation>答复截止时间（{zone}）</translation>
    </message>
    <message>
        <source>Place: remote, or the site&apos;s address</source>
        <translation>评标地点：remote（远程异地评标）或现场地址</translation>
    </message>
    <message>
        <source>Tenderer&apos;s unified social credit code</source>
        <translation>招标人统一社会信用代码</translation>
    </message>
    <message>
        <source>empty: the tender&apos;s, else the agency&apos;s</source>
        <translation>不填：取招标文件中的，否则为代理机构的</translation>
    </message>
    <message>
        <source>Why this draw replaces the current one</source>
        <translation>本次抽取取代当前抽取的理由</translation>
    </message>
    <message>
        <source>needed only to replace the current draw</source>
        <translation>仅在取代当前抽取时填写</translation>
    </message>
    <message>
        <source>&amp;1. Commit to the draw</source>
        <translation>1. 承诺抽取(&amp;1)</translation>
    </message>
    <message>
        <source>Commit to the draw: fix the eligible pool and a secret seed</source>
        <translation>承诺抽取：固定符合条件的专家和保密随机种子</translation>
    </message>
    <message>
        <source>The server fixes the eligible pool and a secret seed, and publishes their hashes before anyone is drawn.</source>
        <translation>服务器固定符合条件的专家名单和保密随机种子，并在抽取前公布二者的哈希值。</translation>
    </message>
    <message>
        <source>a draw number</source>
        <translation>抽取编号</translation>
    </message>
    <message>
        <source>Draw number</source>
        <translation>抽取编号</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <source>Open the draw with this number</source>
        <translation>打开此编号的抽取</translation>
    </message>
    <message>
        <source>&amp;2. Run the draw</source>
        <translation>2. 执行抽取(&amp;2)</translation>
    </message>
    <message>
        <source>Run the draw and reveal the seed</source>
        <translation>执行抽取并公开随机种子</translation>
    </message>
    <message>
        <source>&amp;Save the record…</source>
        <translation>保存记录(&amp;S)…</translation>
    </message>
    <message>
        <source>Save the verifiable draw record</source>
        <translation>保存可核验的抽取记录</translation>
    </message>
    <message>
        <source>&amp;Verify</source>
        <translation>核验(&amp;V)</translation>
    </message>
    <message>
        <source>Verify the draw from its record</source>
        <translation>根据抽取记录核验</translation>
    </message>
    <message>
        <source>Re-check the &amp;bidders</source>
        <translation>按投标人复核(&amp;B)</translation>
    </message>
    <message>
        <source>After the bid deadline, release experts tied to a bidder</source>
        <translation>投标截止后，解除与投标人有关联的专家</translation>
    </message>
    <message>
        <source>Acceptance</source>
        <translation>接受情况</translation>
    </message>
    <message>
        <source>What happened, as it happens</source>
        <translation>实时动态</translation>
    </message>
    <message>
        <source>Slot</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>位次</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Employer</source>
        <translation>工作单位</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>The drawn experts</source>
        <translation>抽取到的专家</translation>
    </message>
</context>
<context>
    <name>Evaluation</name>
    <message>
        <source>Check-in and declaration</source>
        <translation>签到与声明</translation>
    </message>
    <message>
        <source>Chair election</source>
        <translation>推选组长</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>阅读文件</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>资格性/符合性审查</translation>
    </message>
    <message>
        <source>Scoring</source>
        <translation>详细评审打分</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>汇总</translation>
    </message>
    <message>
        <source>Ranking</source>
        <translation>排序</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>评标报告</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>open</source>
        <translation>未提交</translation>
    </message>
    <message>
        <source>submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <source>returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>invited</source>
        <translation>已邀请</translation>
    </message>
    <message>
        <source>checked in</source>
        <translation>已签到</translation>
    </message>
    <message>
        <source>declared</source>
        <translation>已声明</translation>
    </message>
    <message>
        <source>recused</source>
        <translation>已回避</translation>
    </message>
</context>
<context>
    <name>ExpertWorkspace</name>
    <message>
        <source>Expert</source>
        <translation>评标专家</translation>
    </message>
    <message>
        <source>&amp;Sign in with your dongle…</source>
        <translation>使用 CA 锁登录(&amp;S)…</translation>
    </message>
    <message>
        <source>Sign in with your dongle</source>
        <translation>使用 CA 锁登录</translation>
    </message>
    <message>
        <source>Invitations</source>
        <translation>评标邀请</translation>
    </message>
    <message>
        <source>My record</source>
        <translation>我的专家信息</translation>
    </message>
    <message>
        <source>Evaluation sessions</source>
        <translation>评标项目</translation>
    </message>
    <message>
        <source>Pages of the expert&apos;s workspace</source>
        <translation>评标专家工作台的页面</translation>
    </message>
    <message>
        <source>Not signed in. Experts sign in with their own CA dongle.</source>
        <translation>未登录。评标专家使用本人的 CA 锁登录。</translation>
    </message>
    <message>
        <source>Signed in as {name}</source>
        <translation>已登录：{name}</translation>
    </message>
</context>
<context>
    <name>Experts</name>
    <message>
        <source>Admitted (入库)</source>
        <translation>入库</translation>
    </message>
    <message>
        <source>Suspended (暂停)</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Renewed (续聘)</source>
        <translation>续聘</translation>
    </message>
    <message>
        <source>Dismissed (解聘)</source>
        <translation>解聘</translation>
    </message>
    <message>
        <source>Close relative (近亲属)</source>
        <translation>近亲属关系</translation>
    </message>
    <message>
        <source>Economic interest (经济利益)</source>
        <translation>经济利益关系</translation>
    </message>
    <message>
        <source>Supervising authority (行政监督)</source>
        <translation>行政监督关系</translation>
    </message>
    <message>
        <source>Administrative or criminal penalty (受过处罚)</source>
        <translation>受过行政处罚或刑事处罚</translation>
    </message>
    <message>
        <source>Technical (技术)</source>
        <translation>技术类</translation>
    </message>
    <message>
        <source>Economic (经济)</source>
        <translation>经济类</translation>
    </message>
    <message>
        <source>Legal (法律)</source>
        <translation>法律类</translation>
    </message>
    <message>
        <source>Other (其他)</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>FormSection</name>
    <message>
        <source>Write in 大写</source>
        <translation>生成大写</translation>
    </message>
    <message>
        <source>Write the amount in capital numerals from the figures</source>
        <translation>根据小写金额生成大写金额</translation>
    </message>
    <message>
        <source>Typed in the bid letter; shown here as it will be printed</source>
        <translation>在投标函中填写；此处按打印效果显示</translation>
    </message>
</context>
<context>
    <name>FormsEditor</name>
    <message>
        <source>Fill in the forms the tender requires. Problems are shown next to each field as you type; the bid cannot be sealed while any remain.</source>
        <translation>填写招标文件要求的表单。输入时问题会显示在对应字段旁；存在问题时不能加密投标文件。</translation>
    </message>
    <message>
        <source>Priced lines (报价明细)</source>
        <translation>报价明细</translation>
    </message>
    <message>
        <source>Priced lines</source>
        <translation>报价明细</translation>
    </message>
    <message>
        <source>&amp;Add line</source>
        <translation>添加行(&amp;A)</translation>
    </message>
    <message>
        <source>Add a priced line</source>
        <translation>添加一行报价明细</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>删除行</translation>
    </message>
    <message>
        <source>Remove the selected priced line</source>
        <translation>删除所选报价明细行</translation>
    </message>
    <message>
        <source>Use the sum as the total</source>
        <translation>以合计作为总价</translation>
    </message>
    <message>
        <source>Put the sum of the line totals into the total</source>
        <translation>将各行合价之和填入投标总价</translation>
    </message>
    <message>
        <source>Import from Excel…</source>
        <translation>从 Excel 导入…</translation>
    </message>
    <message>
        <source>Replace the priced lines with those of an Excel workbook</source>
        <translation>用 Excel 工作簿中的报价明细替换当前明细</translation>
    </message>
    <message>
        <source>Export to Excel…</source>
        <translation>导出到 Excel…</translation>
    </message>
    <message>
        <source>Save the priced lines as an Excel workbook</source>
        <translation>将报价明细保存为 Excel 工作簿</translation>
    </message>
    <message>
        <source>Import priced lines from Excel</source>
        <translation>从 Excel 导入报价明细</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Export priced lines to Excel</source>
        <translation>将报价明细导出到 Excel</translation>
    </message>
    <message>
        <source>Replace the priced lines?</source>
        <translation>替换报价明细？</translation>
    </message>
    <message>
        <source>The bid has {current} priced line(s). Replace them with the {imported} line(s) of the workbook?</source>
        <translation>投标文件中已有 {current} 行报价明细。要用工作簿中的 {imported} 行替换吗？</translation>
    </message>
    <message>
        <source>{count} line(s) imported from {file}.</source>
        <translation>已从 {file} 导入 {count} 行。</translation>
    </message>
    <message>
        <source>{count} line(s) exported to {file}.</source>
        <translation>已将 {count} 行导出到 {file}。</translation>
    </message>
    <message>
        <source>{count} problem(s) to fix before sealing — show the first</source>
        <translation>加密封装前需改正 {count} 处问题 — 转到第一处</translation>
    </message>
    <message>
        <source>Go to the first problem</source>
        <translation>转到第一处问题</translation>
    </message>
    <message>
        <source>The forms are complete and consistent.</source>
        <translation>表单已填写完整且前后一致。</translation>
    </message>
    <message>
        <source>Line {n}: </source>
        <translation>第 {n} 行：</translation>
    </message>
</context>
<context>
    <name>HallDisplay</name>
    <message>
        <source>Bid opening — hall display</source>
        <translation>开标 — 大厅显示</translation>
    </message>
    <message>
        <source>Hall display of the bid opening</source>
        <translation>开标大厅显示</translation>
    </message>
    <message>
        <source>F11: full screen · Esc: leave full screen</source>
        <translation>F11：全屏 · Esc：退出全屏</translation>
    </message>
    <message>
        <source>Bid opening (开标)</source>
        <translation>开标</translation>
    </message>
    <message>
        <source>Waiting for the opening…</source>
        <translation>等待开标…</translation>
    </message>
    <message>
        <source>Bid opening (开标) — tender {tender}</source>
        <translation>开标 — 项目 {tender}</translation>
    </message>
    <message>
        <source>{n} bids counted</source>
        <translation>共 {n} 份投标</translation>
    </message>
</context>
<context>
    <name>HandoverPage</name>
    <message>
        <source>Hand the opened bids to the committee</source>
        <translation>向评标委员会移交投标文件</translation>
    </message>
    <message>
        <source>Hand the opened bids to the evaluation committee</source>
        <translation>向评标委员会移交已开启的投标文件</translation>
    </message>
    <message>
        <source>Each opened bid&apos;s key is wrapped to each seated expert&apos;s own encryption certificate: only the expert&apos;s dongle opens it. The bids stay on the server as submitted.</source>
        <translation>每份已开启投标文件的密钥分别以各在席专家本人的加密证书封装：只有该专家的CA锁才能打开。投标文件按递交原样保存在服务器上。</translation>
    </message>
    <message>
        <source>Which expert holds which opened bid</source>
        <translation>各专家已获得的投标文件</translation>
    </message>
    <message numerus="yes">
        <source>%n key envelope(s) handed over.</source>
        <translation>
            <numerusform>已移交 %n 个密钥信封。</numerusform>
        </translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>not opened: not handed over</source>
        <translation>未开启：不移交</translation>
    </message>
    <message>
        <source>handed over</source>
        <translation>已移交</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>待移交</translation>
    </message>
    <message>
        <source>The opened bids are handed to the evaluation committee after the announcement.</source>
        <translation>唱标后方可向评标委员会移交已开启的投标文件。</translation>
    </message>
    <message>
        <source>No evaluation session of this tender yet.</source>
        <translation>该项目尚无评标会。</translation>
    </message>
    <message>
        <source>Session %1: the committee is not seated yet (check-in open).</source>
        <translation>评标会 %1：评标委员会尚未就座（签到进行中）。</translation>
    </message>
    <message>
        <source>No encryption certificate registered yet: %1</source>
        <translation>尚未登记加密证书：%1</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>用户指南</translation>
    </message>
    <message>
        <source>What happens at the opening</source>
        <translation>开标时会发生什么</translation>
    </message>
    <message>
        <source>The help file {path} is missing from this installation.</source>
        <translation>本安装缺少帮助文件 {path}。</translation>
    </message>
</context>
<context>
    <name>InvitationsPage</name>
    <message>
        <source>Invitations to evaluation committees</source>
        <translation>评标委员会邀请</translation>
    </message>
    <message>
        <source>Answer before the deadline. An answer is final; a decline calls the next reserve. The list is checked again every minute.</source>
        <translation>请在答复截止时间前答复。答复后不能更改；谢绝后将依次递补候补专家。列表每分钟自动刷新。</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Refresh the invitations</source>
        <translation>刷新评标邀请</translation>
    </message>
    <message>
        <source>Invitations</source>
        <translation>评标邀请</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Evaluation ({zone})</source>
        <translation>评标时间（{zone}）</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>评标地点</translation>
    </message>
    <message>
        <source>Answer by ({zone})</source>
        <translation>答复截止（{zone}）</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>&amp;Accept</source>
        <translation>接受(&amp;A)</translation>
    </message>
    <message>
        <source>Accept the selected invitation</source>
        <translation>接受所选评标邀请</translation>
    </message>
    <message>
        <source>Reason for declining:</source>
        <translation>谢绝理由：</translation>
    </message>
    <message>
        <source>required to decline, e.g. 出差</source>
        <translation>谢绝时必填，例如：出差</translation>
    </message>
    <message>
        <source>Reason for declining</source>
        <translation>谢绝理由</translation>
    </message>
    <message>
        <source>&amp;Decline</source>
        <translation>谢绝(&amp;D)</translation>
    </message>
    <message>
        <source>Decline the selected invitation with the reason given</source>
        <translation>以填写的理由谢绝所选评标邀请</translation>
    </message>
    <message>
        <source>Remote (远程异地评标)</source>
        <translation>远程异地评标</translation>
    </message>
    <message>
        <source>Waiting for your answer</source>
        <translation>待答复</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>已谢绝</translation>
    </message>
    <message>
        <source>Not answered in time</source>
        <translation>逾期未答复</translation>
    </message>
    <message>
        <source>Withdrawn (you are not needed)</source>
        <translation>已撤回（无需参加）</translation>
    </message>
    <message>
        <source>Sign in with your dongle to see your invitations.</source>
        <translation>请使用 CA 锁登录后查看评标邀请。</translation>
    </message>
    <message>
        <source>Asking the server…</source>
        <translation>正在查询服务器…</translation>
    </message>
    <message>
        <source>{count} invitation(s), {pending} waiting for your answer.</source>
        <translation>共 {count} 条邀请，{pending} 条待答复。</translation>
    </message>
    <message>
        <source>{state}: {reason}</source>
        <translation>{state}：{reason}</translation>
    </message>
    <message>
        <source>Sending your answer…</source>
        <translation>正在提交答复…</translation>
    </message>
    <message>
        <source>Give a reason to decline.</source>
        <translation>谢绝须填写理由。</translation>
    </message>
    <message>
        <source>Accepted: {title}. The agency is told.</source>
        <translation>已接受：{title}。已通知代理机构。</translation>
    </message>
    <message>
        <source>Declined: {title}. A reserve is called.</source>
        <translation>已谢绝：{title}。将递补候补专家。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Paperless bidding</source>
        <translation>电子投标</translation>
    </message>
    <message>
        <source>&amp;Workspace:</source>
        <translation>工作区(&amp;W)：</translation>
    </message>
    <message>
        <source>Workspace</source>
        <translation>工作区</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Sign in with the dongle…</source>
        <translation>CA锁登录(&amp;S)…</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Dongles and certificates…</source>
        <translation>CA锁与证书(&amp;D)…</translation>
    </message>
    <message>
        <source>Get the platform&apos;s &amp;trust list…</source>
        <translation>获取平台信任列表(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Time zone</source>
        <translation>时区(&amp;T)</translation>
    </message>
    <message>
        <source>Beijing time (UTC+8)</source>
        <translation>北京时间 (UTC+8)</translation>
    </message>
    <message>
        <source>UTC</source>
        <translation>UTC（协调世界时）</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About bidclient</source>
        <translation>关于 bidclient(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <source>What happens at the &amp;opening</source>
        <translation>开标时会发生什么(&amp;O)</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Signed-in identity</source>
        <translation>登录身份</translation>
    </message>
    <message>
        <source>Server clock</source>
        <translation>服务器时钟</translation>
    </message>
    <message>
        <source>Server: {url}</source>
        <translation>服务器：{url}</translation>
    </message>
    <message>
        <source>none chosen</source>
        <translation>未选择</translation>
    </message>
    <message>
        <source>Server: {url} — checking the saved session…</source>
        <translation>服务器：{url} — 正在核对已保存的登录…</translation>
    </message>
    <message>
        <source>Server: {url} — offline, trying again every {seconds} s</source>
        <translation>服务器：{url} — 未连接，每 {seconds} 秒重试一次</translation>
    </message>
    <message>
        <source>Server: {url} — the saved session has ended; sign in again</source>
        <translation>服务器：{url} — 已保存的登录已失效，请重新登录</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Signed in: {name} ({code})</source>
        <translation>已登录：{name}（{code}）</translation>
    </message>
    <message>
        <source>Certificate revocation (checked by the server): {how}</source>
        <translation>证书吊销状态（服务器检查）：{how}</translation>
    </message>
    <message>
        <source>Server time: not connected</source>
        <translation>服务器时间：未连接</translation>
    </message>
    <message>
        <source>Server time: {time}</source>
        <translation>服务器时间：{time}</translation>
    </message>
    <message>
        <source>Sign in first: the trust list comes from the server you sign in to.</source>
        <translation>请先登录：信任列表来自您登录的平台服务器。</translation>
    </message>
    <message>
        <source>About bidclient</source>
        <translation>关于 bidclient</translation>
    </message>
    <message>
        <source>bidclient {version}
Open client for paperless public tendering: any CA&apos;s dongle, sealed bids verifiable with OpenSSL.
Licence: Apache-2.0. CJK font: Droid Sans Fallback (Apache-2.0).</source>
        <translation>bidclient {version}
开放的电子招投标客户端：支持任意CA机构的CA锁，加密的投标文件可用 OpenSSL 验证。
许可证：Apache-2.0。中文字体：Droid Sans Fallback（Apache-2.0）。</translation>
    </message>
</context>
<context>
    <name>MyBidsView</name>
    <message>
        <source>My bids (我的投标)</source>
        <translation>我的投标</translation>
    </message>
    <message>
        <source>Tender</source>
        <translation>招标编号</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>项目名称</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>投标截止时间</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Notice</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Every tender worked on, soonest deadline first</source>
        <translation>所有参与的招标项目，截止时间最近的在前</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>No bids yet: fetch a tender on the Tenders page to start one.</source>
        <translation>还没有投标：在“招标项目”页获取招标文件即可开始。</translation>
    </message>
    <message>
        <source>{n} draft(s) made stale by a clarification (答疑): see the notice.</source>
        <translation>有 {n} 份草稿因答疑而过期：请查看提示。</translation>
    </message>
    <message>
        <source>{n} tender(s) worked on.</source>
        <translation>共参与 {n} 个招标项目。</translation>
    </message>
    <message>
        <source>{left} (this computer&apos;s clock)</source>
        <translation>{left}（按本机时钟）</translation>
    </message>
</context>
<context>
    <name>ObjectionsPage</name>
    <message>
        <source>Raised by</source>
        <translation>提出人</translation>
    </message>
    <message>
        <source>At</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Objection</source>
        <translation>异议</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>Answered at</source>
        <translation>答复时间</translation>
    </message>
    <message>
        <source>Objections</source>
        <translation>异议</translation>
    </message>
    <message>
        <source>Answer to the selected objection:</source>
        <translation>对所选异议的答复：</translation>
    </message>
    <message>
        <source>Answer to the selected objection</source>
        <translation>对所选异议的答复</translation>
    </message>
    <message>
        <source>Send the answer</source>
        <translation>发送答复</translation>
    </message>
    <message>
        <source>(not answered)</source>
        <translation>（未答复）</translation>
    </message>
    <message>
        <source>No objection has been raised.</source>
        <translation>无人提出异议。</translation>
    </message>
    <message>
        <source>{n} objection(s) wait for an answer: the record cannot be drafted before every one is answered.</source>
        <translation>有 {n} 条异议待答复：全部答复后才能生成开标记录。</translation>
    </message>
    <message>
        <source>Every objection is answered.</source>
        <translation>所有异议均已答复。</translation>
    </message>
</context>
<context>
    <name>Opening</name>
    <message>
        <source>⚠ figures and words differ: the words prevail</source>
        <translation>⚠ 大小写金额不一致：以大写金额为准</translation>
    </message>
    <message>
        <source>⚠ figures {figures} differ from the words {words}: the words prevail</source>
        <translation>⚠ 小写 {figures} 与大写 {words} 不一致：以大写为准</translation>
    </message>
    <message>
        <source>Scheduled: bidders check in; the host locks at the deadline</source>
        <translation>已安排：投标人签到；主持人于投标截止时锁定</translation>
    </message>
    <message>
        <source>Locked and counted: waiting for the opening time</source>
        <translation>已锁定并清点：等待开标时间</translation>
    </message>
    <message>
        <source>No opening: fewer than 3 bids (招标投标法实施条例 Art. 44)</source>
        <translation>不予开标：投标人少于3个（招标投标法实施条例第四十四条）</translation>
    </message>
    <message>
        <source>Decryption window open</source>
        <translation>解密进行中</translation>
    </message>
    <message>
        <source>Announced (唱标)</source>
        <translation>已唱标</translation>
    </message>
    <message>
        <source>Record drafted: the host signs it</source>
        <translation>开标记录已生成：待主持人签章</translation>
    </message>
    <message>
        <source>Signed by the host: the supervisor signs it</source>
        <translation>主持人已签章：待监督人签章</translation>
    </message>
    <message>
        <source>Record signed: the host publishes it</source>
        <translation>开标记录已签章：待主持人公布</translation>
    </message>
    <message>
        <source>Record published</source>
        <translation>开标记录已公布</translation>
    </message>
    <message>
        <source>Waiting for the bidder&apos;s key</source>
        <translation>等待投标人解密</translation>
    </message>
    <message>
        <source>Key released: ready to open</source>
        <translation>已提交密钥：可解密</translation>
    </message>
    <message>
        <source>Remedy in progress</source>
        <translation>补救方案进行中</translation>
    </message>
    <message>
        <source>Remedy: enough partial results, ready to open</source>
        <translation>补救方案：部分解密结果已足够，可解密</translation>
    </message>
    <message>
        <source>Opened and verified</source>
        <translation>已解密并验证</translation>
    </message>
    <message>
        <source>Opened by the committee (补救方案)</source>
        <translation>已由开标委员会解密（补救方案）</translation>
    </message>
    <message>
        <source>Failed: the bidder may retry in the window</source>
        <translation>解密失败：投标人可在解密时间内重试</translation>
    </message>
    <message>
        <source>撤销 revoked (the bidder&apos;s fault, Art. 31)</source>
        <translation>撤销（因投标人原因，第三十一条）</translation>
    </message>
    <message>
        <source>撤回 withdrawn (not the bidder&apos;s fault, Art. 31)</source>
        <translation>撤回（非因投标人原因，第三十一条）</translation>
    </message>
    <message>
        <source>Remedy: {n} of {k} partial results, ready to open</source>
        <translation>补救方案：已收到 {n}/{k} 份部分解密结果，可解密</translation>
    </message>
    <message>
        <source>Remedy in progress: {n} of {k} partial results</source>
        <translation>补救方案进行中：已收到 {n}/{k} 份部分解密结果</translation>
    </message>
    <message>
        <source>Bid deadline</source>
        <translation>投标截止时间</translation>
    </message>
    <message>
        <source>Opening time</source>
        <translation>开标时间</translation>
    </message>
    <message>
        <source>Decryption window closes</source>
        <translation>解密截止时间</translation>
    </message>
    <message>
        <source>{what}: {at} — reached</source>
        <translation>{what}：{at} — 已到</translation>
    </message>
    <message>
        <source>{what}: {at} — {left} left</source>
        <translation>{what}：{at} — 剩余 {left}</translation>
    </message>
</context>
<context>
    <name>OpeningPage</name>
    <message>
        <source>The opening (开标) of the tenders you bid on</source>
        <translation>我投标项目的开标</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Check in (签到)…</source>
        <translation>签到…</translation>
    </message>
    <message>
        <source>Decrypt my bid with the dongle…</source>
        <translation>用 CA 锁解密我的投标文件…</translation>
    </message>
    <message>
        <source>Announcement (唱标)</source>
        <translation>唱标</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Price in figures</source>
        <translation>投标报价（小写）</translation>
    </message>
    <message>
        <source>Price in words</source>
        <translation>投标报价（大写）</translation>
    </message>
    <message>
        <source>Price that counts</source>
        <translation>以此为准的报价</translation>
    </message>
    <message>
        <source>Duration (days)</source>
        <translation>工期（天）</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Objections (异议) and the hosts&apos; answers</source>
        <translation>异议及主持人答复</translation>
    </message>
    <message>
        <source>Your objection, or what you object to in the record</source>
        <translation>您的异议，或对开标记录的异议内容</translation>
    </message>
    <message>
        <source>Raise objection</source>
        <translation>提出异议</translation>
    </message>
    <message>
        <source>Opening record (开标记录表)</source>
        <translation>开标记录表</translation>
    </message>
    <message>
        <source>View record</source>
        <translation>查看记录</translation>
    </message>
    <message>
        <source>Save record…</source>
        <translation>保存记录…</translation>
    </message>
    <message>
        <source>Confirm the record…</source>
        <translation>确认开标记录…</translation>
    </message>
    <message>
        <source>Object to the record…</source>
        <translation>对开标记录提出异议…</translation>
    </message>
    <message>
        <source>Tender whose opening is shown</source>
        <translation>显示开标情况的项目</translation>
    </message>
    <message>
        <source>Refresh the opening</source>
        <translation>刷新开标情况</translation>
    </message>
    <message>
        <source>Check in to the opening with your dongle</source>
        <translation>使用 CA 锁签到</translation>
    </message>
    <message>
        <source>Decrypt my bid with the dongle</source>
        <translation>用 CA 锁解密我的投标文件</translation>
    </message>
    <message>
        <source>Announced bids</source>
        <translation>唱标结果</translation>
    </message>
    <message>
        <source>Objections and answers</source>
        <translation>异议及答复</translation>
    </message>
    <message>
        <source>Objection text</source>
        <translation>异议内容</translation>
    </message>
    <message>
        <source>View the opening record</source>
        <translation>查看开标记录</translation>
    </message>
    <message>
        <source>Save the opening record</source>
        <translation>保存开标记录</translation>
    </message>
    <message>
        <source>Confirm the opening record</source>
        <translation>确认开标记录</translation>
    </message>
    <message>
        <source>Object to the opening record</source>
        <translation>对开标记录提出异议</translation>
    </message>
    <message>
        <source>Scheduled: check in before the opening.</source>
        <translation>已安排开标：请在开标前签到。</translation>
    </message>
    <message>
        <source>Bids counted at the deadline; waiting for the opening time.</source>
        <translation>投标截止时已清点投标文件；等待开标时间。</translation>
    </message>
    <message>
        <source>Fewer than three bids: there is no opening (招标投标法实施条例 Art. 44).</source>
        <translation>投标人少于三个，不予开标（招标投标法实施条例第四十四条）。</translation>
    </message>
    <message>
        <source>Decryption window open: decrypt your bid with your dongle now.</source>
        <translation>解密时段已开始：请立即用 CA 锁解密您的投标文件。</translation>
    </message>
    <message>
        <source>Announced (唱标). Objections can still be raised.</source>
        <translation>已唱标。仍可提出异议。</translation>
    </message>
    <message>
        <source>The hosts are preparing the opening record.</source>
        <translation>主持人正在制作开标记录。</translation>
    </message>
    <message>
        <source>The host signed the record; waiting for the supervisor.</source>
        <translation>主持人已签署开标记录；等待监督人签署。</translation>
    </message>
    <message>
        <source>The record is signed; waiting for it to be published.</source>
        <translation>开标记录已签署；等待公布。</translation>
    </message>
    <message>
        <source>The record is published: confirm it or object to it.</source>
        <translation>开标记录已公布：请确认或提出异议。</translation>
    </message>
    <message>
        <source>Your bid is counted; not decrypted yet.</source>
        <translation>您的投标文件已清点，尚未解密。</translation>
    </message>
    <message>
        <source>Your key is released; the hosts are opening your bid.</source>
        <translation>您的密钥已提交，主持人正在解密您的投标文件。</translation>
    </message>
    <message>
        <source>The opening committee is opening your bid (补救方案).</source>
        <translation>开标委员会正在按补救方案解密您的投标文件。</translation>
    </message>
    <message>
        <source>Your bid is opened and verified.</source>
        <translation>您的投标文件已解密并通过验证。</translation>
    </message>
    <message>
        <source>Your bid could not be opened with the key released: decrypt again while the window is open.</source>
        <translation>用已提交的密钥未能解密您的投标文件：请在解密时段内重新解密。</translation>
    </message>
    <message>
        <source>Your bid was not decrypted (撤销).</source>
        <translation>您的投标文件未能解密（撤销）。</translation>
    </message>
    <message>
        <source>Your bid was withdrawn (撤回) through no fault of yours.</source>
        <translation>因非您方原因，您的投标文件按撤回处理。</translation>
    </message>
    <message>
        <source>Reason: {code}</source>
        <translation>原因：{code}</translation>
    </message>
    <message>
        <source>Sign in with your dongle to take part in the opening.</source>
        <translation>请使用 CA 锁登录后参加开标。</translation>
    </message>
    <message>
        <source>You have no submitted bid: the openings of the tenders you bid on appear here.</source>
        <translation>您尚未递交投标文件：已投标项目的开标会显示在这里。</translation>
    </message>
    <message>
        <source>The agency has not scheduled this opening yet.</source>
        <translation>代理机构尚未安排该项目的开标。</translation>
    </message>
    <message>
        <source>Opening of {tender}: {state}</source>
        <translation>{tender} 开标：{state}</translation>
    </message>
    <message>
        <source>You are checked in.</source>
        <translation>您已签到。</translation>
    </message>
    <message>
        <source>You have not checked in.</source>
        <translation>您尚未签到。</translation>
    </message>
    <message>
        <source>opened</source>
        <translation>已解密</translation>
    </message>
    <message>
        <source>revoked (撤销)</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>withdrawn (撤回)</source>
        <translation>撤回</translation>
    </message>
    <message>
        <source>(by the committee)</source>
        <translation>（由委员会解密）</translation>
    </message>
    <message>
        <source>figures and words differ: the words prevail</source>
        <translation>大小写金额不一致：以大写金额为准</translation>
    </message>
    <message>
        <source>⚠ {n} bid(s): the price in figures and in words differ; the price in words prevails (87号令 Art. 59).</source>
        <translation>⚠ {n} 份投标文件的大小写报价不一致；以大写金额为准（87号令第五十九条）。</translation>
    </message>
    <message>
        <source>You</source>
        <translation>您</translation>
    </message>
    <message>
        <source>{who}: {text}</source>
        <translation>{who}：{text}</translation>
    </message>
    <message>
        <source>→ Answer: {answer}</source>
        <translation>→ 答复：{answer}</translation>
    </message>
    <message>
        <source>→ Not answered yet</source>
        <translation>→ 尚未答复</translation>
    </message>
    <message>
        <source>Published. You have not confirmed it yet.</source>
        <translation>已公布。您尚未确认。</translation>
    </message>
    <message>
        <source>You confirmed the record.</source>
        <translation>您已确认开标记录。</translation>
    </message>
    <message>
        <source>You objected to the record: {text}</source>
        <translation>您对开标记录提出了异议：{text}</translation>
    </message>
    <message>
        <source>Signed by: {signers}.</source>
        <translation>签署人：{signers}。</translation>
    </message>
    <message>
        <source>Bids close in {left} ({at}).</source>
        <translation>距投标截止还有 {left}（{at}）。</translation>
    </message>
    <message>
        <source>Opening in {left} ({at}).</source>
        <translation>距开标还有 {left}（{at}）。</translation>
    </message>
    <message>
        <source>The opening time ({at}) has come: waiting for the host to open the decryption window.</source>
        <translation>已到开标时间（{at}）：等待主持人开启解密时段。</translation>
    </message>
    <message>
        <source>Decryption window closes in {left} ({at}).</source>
        <translation>距解密截止还有 {left}（{at}）。</translation>
    </message>
    <message>
        <source>The decryption window closed at {at}.</source>
        <translation>解密时段已于 {at} 结束。</translation>
    </message>
    <message>
        <source>(server clock)</source>
        <translation>（以服务器时间为准）</translation>
    </message>
    <message>
        <source>Checking in… enter your dongle&apos;s PIN.</source>
        <translation>正在签到…请输入 CA 锁 PIN 码。</translation>
    </message>
    <message>
        <source>Checked in.</source>
        <translation>已签到。</translation>
    </message>
    <message>
        <source>Decrypting… confirm, then enter your dongle&apos;s PIN.</source>
        <translation>正在解密…请确认，然后输入 CA 锁 PIN 码。</translation>
    </message>
    <message>
        <source>Not decrypted. You can try again until the window closes.</source>
        <translation>未解密。解密时段结束前可重试。</translation>
    </message>
    <message>
        <source>Key released: the hosts are opening your bid.</source>
        <translation>密钥已提交：主持人正在解密您的投标文件。</translation>
    </message>
    <message>
        <source>Objection raised: the hosts answer it.</source>
        <translation>异议已提出，等待主持人答复。</translation>
    </message>
    <message>
        <source>Signing your answer to the record… enter your dongle&apos;s PIN.</source>
        <translation>正在签署您对开标记录的意见…请输入 CA 锁 PIN 码。</translation>
    </message>
    <message>
        <source>Your answer to the record is signed and sent.</source>
        <translation>您对开标记录的意见已签名并提交。</translation>
    </message>
    <message>
        <source>Record downloaded and checked against the opening: {path}</source>
        <translation>开标记录已下载并核对无误：{path}</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
</context>
<context>
    <name>OpeningWorkspace</name>
    <message>
        <source>Bid opening (开标)</source>
        <translation>开标</translation>
    </message>
    <message>
        <source>Tender:</source>
        <translation>项目：</translation>
    </message>
    <message>
        <source>Tender whose opening to follow</source>
        <translation>要参加开标的项目</translation>
    </message>
    <message>
        <source>Tender number, e.g. ZB-2026-0042</source>
        <translation>项目编号，例如 ZB-2026-0042</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Follow this tender&apos;s opening</source>
        <translation>参加该项目的开标</translation>
    </message>
    <message>
        <source>Show on hall display</source>
        <translation>在开标大厅显示</translation>
    </message>
    <message>
        <source>Show the opening on the hall display</source>
        <translation>在开标大厅大屏上显示开标情况</translation>
    </message>
    <message>
        <source>Sign in with your dongle</source>
        <translation>用CA锁登录</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Reload the opening and the tender list</source>
        <translation>刷新开标情况和项目列表</translation>
    </message>
    <message>
        <source>1 Check-in and count</source>
        <translation>1 签到与清点</translation>
    </message>
    <message>
        <source>2 Decryption</source>
        <translation>2 解密</translation>
    </message>
    <message>
        <source>3 Announcement (唱标)</source>
        <translation>3 唱标</translation>
    </message>
    <message>
        <source>4 Objections</source>
        <translation>4 异议</translation>
    </message>
    <message>
        <source>5 Record</source>
        <translation>5 开标记录</translation>
    </message>
    <message>
        <source>6 Committee</source>
        <translation>6 移交评委会</translation>
    </message>
    <message>
        <source>Steps of the opening</source>
        <translation>开标步骤</translation>
    </message>
    <message>
        <source>Choose the tender whose opening you host or supervise.</source>
        <translation>请选择您主持或监督开标的项目。</translation>
    </message>
    <message>
        <source>Sign in with your dongle to host or supervise an opening.</source>
        <translation>请用CA锁登录后主持或监督开标。</translation>
    </message>
    <message>
        <source>Tender {tender}: {state}</source>
        <translation>项目 {tender}：{state}</translation>
    </message>
    <message>
        <source>{n} bids counted</source>
        <translation>共 {n} 份投标</translation>
    </message>
    <message>
        <source>You are a host of this opening (step {step}).</source>
        <translation>您是本次开标的主持人（第 {step} 步）。</translation>
    </message>
    <message>
        <source>You are a supervisor of this opening: you see everything, read-only, and co-sign the record after the host.</source>
        <translation>您是本次开标的监督人：可查看全部内容（只读），并在主持人之后对开标记录签章。</translation>
    </message>
    <message>
        <source>You take part in this opening as a bidder: read-only.</source>
        <translation>您以投标人身份参加本次开标：只读。</translation>
    </message>
    <message>
        <source>Server time {now}</source>
        <translation>服务器时间 {now}</translation>
    </message>
    <message>
        <source>Nothing was done: you cancelled (no PIN was given, or you answered no).</source>
        <translation>未执行任何操作：您已取消（未输入PIN码，或选择了“否”）。</translation>
    </message>
</context>
<context>
    <name>PdfViewer</name>
    <message>
        <source>Previous</source>
        <translation>上一页</translation>
    </message>
    <message>
        <source>Previous page (PgUp)</source>
        <translation>上一页 (PgUp)</translation>
    </message>
    <message>
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一页</translation>
    </message>
    <message>
        <source>Next page (PgDn)</source>
        <translation>下一页 (PgDn)</translation>
    </message>
    <message>
        <source>Next page</source>
        <translation>下一页</translation>
    </message>
    <message>
        <source>Page number to show</source>
        <translation>要显示的页码</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+-)</source>
        <translation>缩小 (Ctrl+-)</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation>放大 (Ctrl++)</translation>
    </message>
    <message>
        <source>Fit width</source>
        <translation>适合宽度</translation>
    </message>
    <message>
        <source>Fit the page to the width of the viewer (Ctrl+0)</source>
        <translation>按查看器宽度显示页面 (Ctrl+0)</translation>
    </message>
    <message>
        <source>Find in document</source>
        <translation>在文档中查找</translation>
    </message>
    <message>
        <source>Text to find in the document</source>
        <translation>要在文档中查找的文字</translation>
    </message>
    <message>
        <source>Find next</source>
        <translation>查找下一个</translation>
    </message>
    <message>
        <source>Go to the next page that contains the text (Enter)</source>
        <translation>转到下一个包含该文字的页面（回车）</translation>
    </message>
    <message>
        <source>Document page</source>
        <translation>文档页面</translation>
    </message>
    <message>
        <source>Page image</source>
        <translation>页面图像</translation>
    </message>
    <message>
        <source>Page {page} of {count}</source>
        <translation>第 {page} 页，共 {count} 页</translation>
    </message>
    <message>
        <source>No document open.</source>
        <translation>未打开文档。</translation>
    </message>
    <message>
        <source>Opening {name}…</source>
        <translation>正在打开 {name}…</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>Page {page}</source>
        <translation>第 {page} 页</translation>
    </message>
    <message>
        <source>{name} cannot be found or read.</source>
        <translation>找不到或无法读取 {name}。</translation>
    </message>
    <message>
        <source>{name} is password-protected and cannot be shown.</source>
        <translation>{name} 设有密码保护，无法显示。</translation>
    </message>
    <message>
        <source>This page of {name} cannot be drawn: the PDF is damaged.</source>
        <translation>{name} 的这一页无法显示：PDF 文件已损坏。</translation>
    </message>
    <message>
        <source>{name} cannot be shown: it is damaged or not a PDF.</source>
        <translation>{name} 无法显示：文件已损坏或不是 PDF。</translation>
    </message>
</context>
<context>
    <name>PhasePanel</name>
    <message>
        <source>I have a conflict of interest (回避)</source>
        <translation>本人存在利害关系，需回避</translation>
    </message>
    <message>
        <source>I have a conflict of interest</source>
        <translation>本人存在利害关系</translation>
    </message>
    <message>
        <source>The conflict: who, and how you are related (required)</source>
        <translation>利害关系说明：与谁、何种关系（必填）</translation>
    </message>
    <message>
        <source>The conflict of interest</source>
        <translation>利害关系说明</translation>
    </message>
    <message>
        <source>Check in and sign the declaration…</source>
        <translation>签到并签署声明…</translation>
    </message>
    <message>
        <source>Check in and sign the recusal declaration and commitment</source>
        <translation>签到并签署回避声明和承诺书</translation>
    </message>
    <message>
        <source>Candidate for chair</source>
        <translation>组长候选人</translation>
    </message>
    <message>
        <source>Vote for chair</source>
        <translation>投票推选组长</translation>
    </message>
    <message>
        <source>Sign and submit my sheet…</source>
        <translation>签名并提交我的评分表…</translation>
    </message>
    <message>
        <source>Sign my score sheet with my dongle and submit it</source>
        <translation>用我的 CA 锁签名并提交评分表</translation>
    </message>
    <message>
        <source>Move the session on to its next phase</source>
        <translation>将评标推进到下一阶段</translation>
    </message>
    <message>
        <source>Check in with your dongle and sign the recusal declaration (回避, 12号令 Art. 12) and the commitment. A declared conflict removes you from this committee.</source>
        <translation>请用 CA 锁签到，并签署回避声明（12号令第十二条）和承诺书。声明存在利害关系的，将退出本评标委员会。</translation>
    </message>
    <message>
        <source>Vote for the chair (组长): a majority of the members elects.</source>
        <translation>推选评标委员会组长：获过半数委员票者当选。</translation>
    </message>
    <message>
        <source>Read the tender and the bids (Documents).</source>
        <translation>阅读招标文件和投标文件（“文件”页）。</translation>
    </message>
    <message>
        <source>Judge every bid on every review item (Review): pass, or fail with its reason.</source>
        <translation>逐项审查每份投标文件（“审查”页）：通过，或不通过并写明理由。</translation>
    </message>
    <message>
        <source>Score every bid still in (Scoring), then sign and submit your sheet.</source>
        <translation>对通过审查的每份投标文件打分（“打分”页），然后签名提交评分表。</translation>
    </message>
    <message>
        <source>The chair summarises; a sheet may be returned to its expert with a reason.</source>
        <translation>组长汇总评分；可说明理由将评分表退回该专家。</translation>
    </message>
    <message>
        <source>The ranking and the recommended candidates.</source>
        <translation>排序并推荐中标候选人。</translation>
    </message>
    <message>
        <source>Every member signs the report in turn (Report).</source>
        <translation>全体委员依次签署评标报告（“报告”页）。</translation>
    </message>
    <message>
        <source>The session is closed; everything is read-only.</source>
        <translation>本次评标已结束，所有内容只读。</translation>
    </message>
    <message>
        <source>You declared a conflict of interest and are no longer on this committee.</source>
        <translation>您已声明存在利害关系，不再是本评标委员会成员。</translation>
    </message>
    <message>
        <source>The chair returned your sheet: %1</source>
        <translation>组长退回了您的评分表：%1</translation>
    </message>
    <message>
        <source>Your sheet: %1</source>
        <translation>您的评分表：%1</translation>
    </message>
    <message>
        <source>Move on to: %1</source>
        <translation>进入下一阶段：%1</translation>
    </message>
</context>
<context>
    <name>PinChangeDialog</name>
    <message>
        <source>Change the dongle&apos;s PIN</source>
        <translation>修改CA锁的 PIN 码</translation>
    </message>
    <message>
        <source>Choose a new PIN for “{label}”. After you press OK you will be asked for the current PIN once.</source>
        <translation>为“{label}”设置新的 PIN 码。按“确定”后，将要求您输入一次当前 PIN 码。</translation>
    </message>
    <message>
        <source>&amp;New PIN:</source>
        <translation>新 PIN 码(&amp;N)：</translation>
    </message>
    <message>
        <source>New PIN</source>
        <translation>新 PIN 码</translation>
    </message>
    <message>
        <source>&amp;Repeat the new PIN:</source>
        <translation>再次输入新 PIN 码(&amp;R)：</translation>
    </message>
    <message>
        <source>Repeat the new PIN</source>
        <translation>再次输入新 PIN 码</translation>
    </message>
    <message>
        <source>At least {count} characters. Some dongles accept digits only.</source>
        <translation>至少 {count} 个字符。部分CA锁只接受数字。</translation>
    </message>
    <message>
        <source>Problem with the new PIN</source>
        <translation>新 PIN 码的问题</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Change the PIN</source>
        <translation>修改 PIN 码</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The new PIN is too short: use at least {count} characters.</source>
        <translation>新 PIN 码太短：至少需要 {count} 个字符。</translation>
    </message>
    <message>
        <source>The two new PINs differ. Type the new PIN again in the second field.</source>
        <translation>两次输入的新 PIN 码不一致。请在第二个输入框中重新输入新 PIN 码。</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Dongle PIN</source>
        <translation>CA锁PIN码</translation>
    </message>
    <message>
        <source>password of the key file</source>
        <translation>密钥文件的密码</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN码</translation>
    </message>
    <message>
        <source>Enter the {what} for “{label}”.</source>
        <translation>请输入“{label}”的{what}。</translation>
    </message>
    <message>
        <source>Careful: one more wrong PIN locks the token. If you are not sure of the PIN, cancel and ask your CA.</source>
        <translation>注意：再输错一次PIN码，CA锁将被锁定。如果不确定PIN码，请取消并咨询CA机构。</translation>
    </message>
    <message>
        <source>A wrong PIN was entered since the last successful login. The token locks after a few wrong tries.</source>
        <translation>上次成功登录后曾输入过错误的PIN码。多次输错后CA锁将被锁定。</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>PoolAdminWorkspace</name>
    <message>
        <source>Expert pool</source>
        <translation>专家库管理</translation>
    </message>
    <message>
        <source>&amp;Sign in with your dongle…</source>
        <translation>使用 CA 锁登录(&amp;S)…</translation>
    </message>
    <message>
        <source>Sign in with your dongle</source>
        <translation>使用 CA 锁登录</translation>
    </message>
    <message>
        <source>Pool</source>
        <translation>专家库</translation>
    </message>
    <message>
        <source>Import and export</source>
        <translation>导入与导出</translation>
    </message>
    <message>
        <source>Specialties</source>
        <translation>专业分类</translation>
    </message>
    <message>
        <source>Pages of the expert pool</source>
        <translation>专家库管理的页面</translation>
    </message>
    <message>
        <source>Not signed in. The pool is managed by the platform&apos;s administrator.</source>
        <translation>未登录。专家库由平台管理员维护。</translation>
    </message>
    <message>
        <source>Signed in as {name}</source>
        <translation>已登录：{name}</translation>
    </message>
</context>
<context>
    <name>PoolModel</name>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>身份标识</translation>
    </message>
    <message>
        <source>Employer</source>
        <translation>工作单位</translation>
    </message>
    <message>
        <source>Specialties</source>
        <translation>专业</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>地区</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>职称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>PoolPage</name>
    <message>
        <source>S&amp;tatus:</source>
        <translation>状态(&amp;T)：</translation>
    </message>
    <message>
        <source>Filter by status</source>
        <translation>按状态筛选</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>S&amp;pecialty:</source>
        <translation>专业(&amp;P)：</translation>
    </message>
    <message>
        <source>Filter by specialty</source>
        <translation>按专业筛选</translation>
    </message>
    <message>
        <source>Re&amp;gion:</source>
        <translation>地区(&amp;G)：</translation>
    </message>
    <message>
        <source>Filter by region</source>
        <translation>按地区筛选</translation>
    </message>
    <message>
        <source>e.g. 北京</source>
        <translation>例如：北京</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>姓名(&amp;N)：</translation>
    </message>
    <message>
        <source>Filter by part of the name or identity</source>
        <translation>按姓名或身份标识的一部分筛选</translation>
    </message>
    <message>
        <source>part of the name</source>
        <translation>姓名的一部分</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>查询(&amp;S)</translation>
    </message>
    <message>
        <source>Search the pool with these filters</source>
        <translation>按这些条件查询专家库</translation>
    </message>
    <message>
        <source>Experts in the pool</source>
        <translation>专家库中的专家</translation>
    </message>
    <message>
        <source>&lt; &amp;Previous</source>
        <translation>&lt; 上一页(&amp;P)</translation>
    </message>
    <message>
        <source>Previous page of experts</source>
        <translation>上一页专家</translation>
    </message>
    <message>
        <source>Ne&amp;xt &gt;</source>
        <translation>下一页(&amp;X) &gt;</translation>
    </message>
    <message>
        <source>Next page of experts</source>
        <translation>下一页专家</translation>
    </message>
    <message>
        <source>Status history</source>
        <translation>状态变更记录</translation>
    </message>
    <message>
        <source>Status history of the selected expert</source>
        <translation>所选专家的状态变更记录</translation>
    </message>
    <message>
        <source>When ({zone})</source>
        <translation>时间（{zone}）</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>截至</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Change the status</source>
        <translation>变更状态</translation>
    </message>
    <message>
        <source>&amp;Change to:</source>
        <translation>变更为(&amp;C)：</translation>
    </message>
    <message>
        <source>New status</source>
        <translation>新状态</translation>
    </message>
    <message>
        <source>Suspend (暂停)</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Renew (续聘)</source>
        <translation>续聘</translation>
    </message>
    <message>
        <source>Dismiss (解聘)</source>
        <translation>解聘</translation>
    </message>
    <message>
        <source>Re-admit (恢复入库)</source>
        <translation>恢复入库</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>理由(&amp;R)：</translation>
    </message>
    <message>
        <source>Reason for the status change</source>
        <translation>状态变更理由</translation>
    </message>
    <message>
        <source>required; kept in the history and the audit trail</source>
        <translation>必填；记入变更记录和审计日志</translation>
    </message>
    <message>
        <source>Suspended &amp;until:</source>
        <translation>暂停至(&amp;U)：</translation>
    </message>
    <message>
        <source>Suspended until (date)</source>
        <translation>暂停截止日期</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>确定变更(&amp;A)</translation>
    </message>
    <message>
        <source>Apply the status change</source>
        <translation>执行状态变更</translation>
    </message>
    <message>
        <source>Sign in as the pool&apos;s administrator first.</source>
        <translation>请先以专家库管理员身份登录。</translation>
    </message>
    <message>
        <source>Asking the server…</source>
        <translation>正在查询服务器…</translation>
    </message>
    <message>
        <source>No expert matches these filters.</source>
        <translation>没有符合条件的专家。</translation>
    </message>
    <message>
        <source>Experts {first}–{last} of {total}</source>
        <translation>第 {first}–{last} 位，共 {total} 位专家</translation>
    </message>
    <message>
        <source>Select an expert to see the status history.</source>
        <translation>选择一位专家以查看状态变更记录。</translation>
    </message>
    <message>
        <source>Suspended until {time}</source>
        <translation>暂停至 {time}</translation>
    </message>
    <message>
        <source>A dismissed expert&apos;s record is not changed again.</source>
        <translation>已解聘专家的信息不再变更。</translation>
    </message>
    <message>
        <source>Dismissal (解聘) is final: the record cannot be changed afterwards.</source>
        <translation>解聘不可撤销：解聘后该专家信息不能再变更。</translation>
    </message>
    <message>
        <source>Suspended until the start of that day, {zone}.</source>
        <translation>暂停至该日零时（{zone}）。</translation>
    </message>
    <message>
        <source>Give a reason for the change.</source>
        <translation>请填写变更理由。</translation>
    </message>
    <message>
        <source>Changing the status…</source>
        <translation>正在变更状态…</translation>
    </message>
    <message>
        <source>Dismiss the expert?</source>
        <translation>解聘该专家？</translation>
    </message>
    <message>
        <source>Dismiss {name} from the pool?</source>
        <translation>确定将 {name} 解聘出专家库？</translation>
    </message>
    <message>
        <source>A dismissal is final: the record is not changed again, and the expert is never drawn. A returning expert is admitted anew under a new record.</source>
        <translation>解聘不可撤销：该专家信息不再变更，也不会再被抽取。如需重新聘用，须以新记录重新入库。</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>解聘</translation>
    </message>
    <message>
        <source>Keep in the pool</source>
        <translation>保留在库</translation>
    </message>
    <message>
        <source>Not dismissed: {name} stays in the pool.</source>
        <translation>未解聘：{name} 仍在专家库中。</translation>
    </message>
    <message>
        <source>{name} is now: {status}.</source>
        <translation>{name} 现为：{status}。</translation>
    </message>
</context>
<context>
    <name>QtPrompter</name>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>ReceiptActions</name>
    <message>
        <source>Save the receipt as &amp;PDF…</source>
        <translation>将回执保存为 PDF(&amp;P)…</translation>
    </message>
    <message>
        <source>Save the verified receipt (回执) as a PDF to keep or print</source>
        <translation>将已核验的回执保存为 PDF，以便保存或打印</translation>
    </message>
    <message>
        <source>&amp;Export the sealed bid…</source>
        <translation>导出投标文件(&amp;E)…</translation>
    </message>
    <message>
        <source>Copy the sealed bid and its receipt to a folder or a ZIP</source>
        <translation>将投标文件及其回执复制到文件夹或 ZIP 文件</translation>
    </message>
    <message>
        <source>Save the receipt as PDF</source>
        <translation>将回执保存为 PDF</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Export the sealed bid</source>
        <translation>导出投标文件</translation>
    </message>
    <message>
        <source>ZIP archive (*.zip);;Folder (any name without .zip)</source>
        <translation>ZIP 压缩包 (*.zip);;文件夹（名称不以 .zip 结尾）</translation>
    </message>
    <message>
        <source>The receipt was verified and saved as {path}</source>
        <translation>回执核验通过，已保存为 {path}</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Exported to {path}; the copy&apos;s SHA-256 was checked against the receipt.</source>
        <translation>已导出到 {path}；副本的 SHA-256 已与回执核对一致。</translation>
    </message>
    <message>
        <source>Exported to {path}; the copy&apos;s SHA-256 was checked.</source>
        <translation>已导出到 {path}；副本的 SHA-256 已核对。</translation>
    </message>
    <message>
        <source>Not exported.</source>
        <translation>未导出。</translation>
    </message>
</context>
<context>
    <name>RecordPage</name>
    <message>
        <source>My record in the expert pool</source>
        <translation>我在专家库中的信息</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>Refresh my record</source>
        <translation>刷新我的信息</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <source>Identity:</source>
        <translation>身份标识：</translation>
    </message>
    <message>
        <source>Employer:</source>
        <translation>工作单位：</translation>
    </message>
    <message>
        <source>Specialties:</source>
        <translation>专业：</translation>
    </message>
    <message>
        <source>Region:</source>
        <translation>地区：</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>职称：</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>电子邮箱：</translation>
    </message>
    <message>
        <source>Phone:</source>
        <translation>电话：</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Status history</source>
        <translation>状态变更记录</translation>
    </message>
    <message>
        <source>When ({zone})</source>
        <translation>时间（{zone}）</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>截至</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Sign in with your dongle to see your record.</source>
        <translation>请使用 CA 锁登录后查看您的信息。</translation>
    </message>
    <message>
        <source>Asking the server…</source>
        <translation>正在查询服务器…</translation>
    </message>
    <message>
        <source>{status} until {time}</source>
        <translation>{status}，至 {time}</translation>
    </message>
    <message>
        <source>Draft the record</source>
        <translation>生成开标记录</translation>
    </message>
    <message>
        <source>Draft the opening record</source>
        <translation>生成开标记录表</translation>
    </message>
    <message>
        <source>Sign the record</source>
        <translation>签章</translation>
    </message>
    <message>
        <source>Sign the opening record with your dongle</source>
        <translation>用CA锁对开标记录签章</translation>
    </message>
    <message>
        <source>Publish the record</source>
        <translation>公布开标记录</translation>
    </message>
    <message>
        <source>Publish the signed record to the participants</source>
        <translation>向参加人公布已签章的开标记录</translation>
    </message>
    <message>
        <source>Preview of the opening record</source>
        <translation>开标记录预览</translation>
    </message>
    <message>
        <source>No record yet: the host drafts it after the announcement, once every objection is answered.</source>
        <translation>尚无开标记录：唱标后、所有异议答复完毕，由主持人生成。</translation>
    </message>
    <message>
        <source>nobody yet</source>
        <translation>尚无</translation>
    </message>
    <message>
        <source>Record SHA-256 {sha}; signed by: {who}.</source>
        <translation>开标记录 SHA-256 {sha}；签章人：{who}。</translation>
    </message>
    <message>
        <source>Published.</source>
        <translation>已公布。</translation>
    </message>
</context>
<context>
    <name>RelationsPanel</name>
    <message>
        <source>My relations (回避, Art. 12)</source>
        <translation>本人回避关系（第十二条）</translation>
    </message>
    <message>
        <source>&amp;Declare a relation…</source>
        <translation>申报回避关系(&amp;D)…</translation>
    </message>
    <message>
        <source>Declare a relation</source>
        <translation>申报回避关系</translation>
    </message>
    <message>
        <source>&amp;Withdraw</source>
        <translation>撤回(&amp;W)</translation>
    </message>
    <message>
        <source>Withdraw the selected relation</source>
        <translation>撤回所选回避关系</translation>
    </message>
    <message>
        <source>My declared relations</source>
        <translation>本人申报的回避关系</translation>
    </message>
    <message>
        <source>Relation</source>
        <translation>关系</translation>
    </message>
    <message>
        <source>Enterprise (统一社会信用代码)</source>
        <translation>单位（统一社会信用代码）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Until ({zone})</source>
        <translation>截至（{zone}）</translation>
    </message>
    <message>
        <source>Recorded by</source>
        <translation>登记人</translation>
    </message>
    <message>
        <source>Declared ({zone})</source>
        <translation>申报时间（{zone}）</translation>
    </message>
    <message>
        <source>Withdrawn ({zone})</source>
        <translation>撤回时间（{zone}）</translation>
    </message>
    <message>
        <source>A close relative at, an economic interest in, or supervising authority over an enterprise keeps you out of its tenders; so does a penalty, of every tender, while it lasts. Declare each here: from then on no draw picks you for them. A relation you declared you may withdraw; it stays on record.</source>
        <translation>与某单位存在近亲属、经济利益或行政监督关系的，应回避该单位参与的项目；受过行政处罚或刑事处罚的，在处罚期间回避全部项目。请在此逐项申报：申报后，相关项目的专家抽取不会再抽中您。本人申报的回避关系可以撤回，撤回后仍保留记录。</translation>
    </message>
    <message>
        <source>You</source>
        <translation>本人</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>专家库管理员</translation>
    </message>
    <message>
        <source>Withdrawn: it no longer excludes you.</source>
        <translation>已撤回：不再据此回避。</translation>
    </message>
    <message>
        <source>A dismissed expert&apos;s record is not changed again.</source>
        <translation>已解聘专家的信息不再变更。</translation>
    </message>
    <message>
        <source>Declare a relation that keeps you out of an enterprise&apos;s tenders.</source>
        <translation>申报回避关系，回避相关单位参与的项目。</translation>
    </message>
    <message>
        <source>Select a relation you declared to withdraw it.</source>
        <translation>请先选中一条本人申报的回避关系再撤回。</translation>
    </message>
    <message>
        <source>The administrator recorded this relation; only the administrator can withdraw it — ask them.</source>
        <translation>此回避关系由专家库管理员登记，只能由管理员撤回，请联系管理员。</translation>
    </message>
    <message>
        <source>Withdrawn already on {time}.</source>
        <translation>已于 {time} 撤回。</translation>
    </message>
    <message>
        <source>Withdraw this relation: draws may pick you again for that enterprise&apos;s tenders.</source>
        <translation>撤回此回避关系：此后该单位参与项目的专家抽取可能再次抽中您。</translation>
    </message>
    <message>
        <source>Declare the relation?</source>
        <translation>申报回避关系？</translation>
    </message>
    <message>
        <source>Declare: {kind}{enterprise}?</source>
        <translation>确认申报：{kind}{enterprise}？</translation>
    </message>
    <message>
        <source>The declaration is recorded with your name and time in the platform&apos;s audit log. You can withdraw it later; it stays on record, marked withdrawn.</source>
        <translation>申报将连同您的姓名和时间记入平台审计日志。之后可以撤回，撤回后仍保留记录并标注为已撤回。</translation>
    </message>
    <message>
        <source>Declare</source>
        <translation>申报</translation>
    </message>
    <message>
        <source>Go back</source>
        <translation>返回修改</translation>
    </message>
    <message>
        <source>Declared: {kind}{enterprise}. Draws exclude you from now on.</source>
        <translation>已申报：{kind}{enterprise}。自即日起相关项目的专家抽取将回避您。</translation>
    </message>
    <message>
        <source>Declaring the relation…</source>
        <translation>正在申报回避关系…</translation>
    </message>
    <message>
        <source>Withdraw the relation?</source>
        <translation>撤回回避关系？</translation>
    </message>
    <message>
        <source>Withdraw: {kind}{enterprise}?</source>
        <translation>确认撤回：{kind}{enterprise}？</translation>
    </message>
    <message>
        <source>From now on draws may pick you again for tenders this relation concerned. Withdraw it only if it no longer holds: an expert who hides a relation breaks Art. 12. It stays on record, marked withdrawn.</source>
        <translation>撤回后，相关项目的专家抽取可能再次抽中您。仅在该关系已不存在时撤回：隐瞒应当回避的关系违反第十二条规定。撤回后仍保留记录并标注为已撤回。</translation>
    </message>
    <message>
        <source>Withdraw</source>
        <translation>撤回</translation>
    </message>
    <message>
        <source>Keep it</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Not withdrawn: the relation still excludes you.</source>
        <translation>未撤回：此回避关系仍然有效。</translation>
    </message>
    <message>
        <source>Withdrawn: {kind}{enterprise}. It stays on record and no longer excludes you.</source>
        <translation>已撤回：{kind}{enterprise}。记录仍保留，不再据此回避。</translation>
    </message>
    <message>
        <source>Withdrawing the relation…</source>
        <translation>正在撤回回避关系…</translation>
    </message>
</context>
<context>
    <name>ReportPanel</name>
    <message>
        <source>Show the report</source>
        <translation>查看评标报告</translation>
    </message>
    <message>
        <source>I agree</source>
        <translation>同意</translation>
    </message>
    <message>
        <source>I disagree (signing, with reasons)</source>
        <translation>不同意（签字并书面说明理由）</translation>
    </message>
    <message>
        <source>I refuse to sign (with reasons)</source>
        <translation>拒绝签字（书面说明理由）</translation>
    </message>
    <message>
        <source>Written reasons (required to disagree or refuse)</source>
        <translation>书面理由（不同意或拒签时必填）</translation>
    </message>
    <message>
        <source>Written reasons</source>
        <translation>书面理由</translation>
    </message>
    <message>
        <source>Sign with my dongle…</source>
        <translation>用我的 CA 锁签字…</translation>
    </message>
    <message>
        <source>Sign the report with my dongle</source>
        <translation>用我的 CA 锁签署评标报告</translation>
    </message>
    <message>
        <source>Signatures so far</source>
        <translation>已有签字</translation>
    </message>
    <message>
        <source>agreed</source>
        <translation>同意</translation>
    </message>
    <message>
        <source>disagreed</source>
        <translation>不同意</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>拒签</translation>
    </message>
</context>
<context>
    <name>ReviewGrid</name>
    <message>
        <source>Bid</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Review item</source>
        <translation>审查项</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>Reason (required for a fail)</source>
        <translation>理由（不通过时必填）</translation>
    </message>
    <message>
        <source>Review grid: every bid on every review item</source>
        <translation>审查表：每份投标文件的每个审查项</translation>
    </message>
    <message>
        <source>— not judged —</source>
        <translation>— 未评审 —</translation>
    </message>
    <message>
        <source>Pass</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>不通过</translation>
    </message>
    <message>
        <source>Verdict on %1, %2</source>
        <translation>%1 的 %2 审查结论</translation>
    </message>
    <message>
        <source>Reason for failing %1 on %2</source>
        <translation>%1 的 %2 不通过理由</translation>
    </message>
    <message>
        <source>A fail of %1 on %2 needs its reason: type it in the reason box. Nothing was saved.</source>
        <translation>%1 的 %2 判为不通过须写明理由：请在理由栏填写。尚未保存任何内容。</translation>
    </message>
</context>
<context>
    <name>ScoringGrid</name>
    <message>
        <source>Score for %1 (%2 to %3)</source>
        <translation>%1 得分（%2 至 %3）</translation>
    </message>
    <message>
        <source>Scoring grid: bids by criterion</source>
        <translation>评分表：投标人 × 评分项</translation>
    </message>
    <message>
        <source>Select every score</source>
        <translation>选中全部分值</translation>
    </message>
    <message>
        <source>Comment on the selected score (optional)</source>
        <translation>对所选分值的评语（可选）</translation>
    </message>
    <message>
        <source>Comment on the selected score</source>
        <translation>对所选分值的评语</translation>
    </message>
    <message>
        <source>Scoring message</source>
        <translation>打分提示</translation>
    </message>
    <message>
        <source>Sign and submit my sheet…</source>
        <translation>签名并提交我的评分表…</translation>
    </message>
    <message>
        <source>Sign my score sheet with my dongle and submit it</source>
        <translation>用我的 CA 锁签名并提交评分表</translation>
    </message>
    <message>
        <source>%1
(computed)</source>
        <translation>%1
（自动计算）</translation>
    </message>
    <message>
        <source>Computed by the rules</source>
        <translation>按评分规则自动计算</translation>
    </message>
    <message>
        <source>Not applied by the server: %1</source>
        <translation>服务器未采用：%1</translation>
    </message>
    <message>
        <source>Refused “%1”: a score for %2 is a number from %3 to %4 with at most two decimals.</source>
        <translation>不接受“%1”：%2 的分值应为 %3 至 %4 之间、最多两位小数的数字。</translation>
    </message>
    <message>
        <source>%1 of %2 is computed by the rules (read-only):
%3</source>
        <translation>%2 的%1按评分规则自动计算（只读）：
%3</translation>
    </message>
    <message>
        <source>not available yet</source>
        <translation>暂无</translation>
    </message>
    <message>
        <source>Score the cell first; the comment is saved with its score.</source>
        <translation>请先打分；评语随分值一起保存。</translation>
    </message>
</context>
<context>
    <name>SealPage</name>
    <message>
        <source>Seal the bid (加密)</source>
        <translation>加密投标文件</translation>
    </message>
    <message>
        <source>Sealing signs the bid letter, the price schedule and the whole bid bound as one PDF (投标文件.pdf: enterprise and legal representative&apos;s seals, page seals, riding seal) with your dongle, encrypts the whole bid for the opening and for yourself, and checks that it opens again. You enter the PIN once.</source>
        <translation>加密时将用您的CA锁对投标函、开标一览表以及装订成一个 PDF 的整本投标文件（投标文件.pdf：单位公章、法定代表人章、逐页章、骑缝章）签章，为开标方和您自己加密整个投标文件，并检查能否再次解开。PIN 码只需输入一次。</translation>
    </message>
    <message>
        <source>Before you seal</source>
        <translation>加密前请注意</translation>
    </message>
    <message>
        <source>Warnings before sealing</source>
        <translation>加密前的提醒</translation>
    </message>
    <message>
        <source>I have read the warnings and want to seal anyway</source>
        <translation>我已阅读上述提醒，仍要加密</translation>
    </message>
    <message>
        <source>Seal despite the warnings</source>
        <translation>忽略提醒继续加密</translation>
    </message>
    <message>
        <source>&amp;Seal the bid…</source>
        <translation>加密投标文件(&amp;S)…</translation>
    </message>
    <message>
        <source>Seal the bid with the dongle</source>
        <translation>用CA锁加密投标文件</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>&amp;Preview the whole bid…</source>
        <translation>预览整本投标文件(&amp;P)…</translation>
    </message>
    <message>
        <source>Preview the whole bid as it will be sealed, with its contents, page seals and riding seal</source>
        <translation>预览加密封装时的整本投标文件，含目录、逐页章和骑缝章</translation>
    </message>
    <message>
        <source>Cancel sealing</source>
        <translation>取消加密</translation>
    </message>
    <message>
        <source>Sealing progress</source>
        <translation>加密进度</translation>
    </message>
    <message>
        <source>The bid changed after it was sealed: seal it again, or the changes are not in what you submit.</source>
        <translation>投标文件在加密后有改动：请重新加密，否则递交的文件不包含这些改动。</translation>
    </message>
    <message>
        <source>Sign in with your dongle to seal.</source>
        <translation>请先用CA锁登录再加密。</translation>
    </message>
    <message>
        <source>Looking for your dongle…</source>
        <translation>正在查找您的CA锁…</translation>
    </message>
    <message>
        <source>Dongle found; encryption certificate valid until {date}.</source>
        <translation>已找到CA锁；加密证书有效期至 {date}。</translation>
    </message>
    <message>
        <source>Nothing to warn about: every criterion is linked and the forms are complete.</source>
        <translation>无需提醒：所有评分点均已关联，表单已填写完整。</translation>
    </message>
    <message>
        <source>Enter the dongle&apos;s PIN when asked…</source>
        <translation>请按提示输入CA锁 PIN 码…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Sealing… {percent}%</source>
        <translation>正在加密… {percent}%</translation>
    </message>
    <message>
        <source>Sealed.</source>
        <translation>已加密。</translation>
    </message>
    <message>
        <source>Not sealed.</source>
        <translation>未加密。</translation>
    </message>
    <message>
        <source>Sealed, but the deadline passed meanwhile: the server will refuse it.</source>
        <translation>已加密，但期间投标截止时间已过：平台将拒收。</translation>
    </message>
    <message>
        <source>passed: the bid opens again with your own key</source>
        <translation>通过：用您自己的密钥可以再次解开投标文件</translation>
    </message>
    <message>
        <source>FAILED</source>
        <translation>未通过</translation>
    </message>
    <message>
        <source>Self-check {check}.
Envelope SHA-256: {sha}
Size: {size} bytes; files: {files}</source>
        <translation>自检{check}。
加密文件 SHA-256：{sha}
大小：{size} 字节；文件数：{files}</translation>
    </message>
</context>
<context>
    <name>ServerHistoryPanel</name>
    <message>
        <source>On the server: all your submissions to this tender</source>
        <translation>服务器上：您在本项目的全部递交</translation>
    </message>
    <message>
        <source>Check the server</source>
        <translation>查询服务器</translation>
    </message>
    <message>
        <source>Load your submission history from the server again</source>
        <translation>重新从服务器读取您的递交记录</translation>
    </message>
    <message>
        <source>Your submissions on the server</source>
        <translation>您在服务器上的递交</translation>
    </message>
    <message>
        <source>Submission</source>
        <translation>递交</translation>
    </message>
    <message>
        <source>Received (server time)</source>
        <translation>接收时间（服务器时间）</translation>
    </message>
    <message>
        <source>Withdrawn at</source>
        <translation>撤回时间</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Active: the bid the opening will decrypt</source>
        <translation>有效：开标时解密的就是这一份</translation>
    </message>
    <message>
        <source>Replaced by {id}</source>
        <translation>已被 {id} 替换</translation>
    </message>
    <message>
        <source>Replaced by a later submission</source>
        <translation>已被之后的递交替换</translation>
    </message>
    <message>
        <source>Sign in to see what the server holds.</source>
        <translation>登录后可查看服务器上的记录。</translation>
    </message>
    <message>
        <source>The server holds no submission of yours for this tender.</source>
        <translation>服务器上没有您在本项目的递交。</translation>
    </message>
    <message>
        <source>Every receipt was verified: the times are the ones the server signed.</source>
        <translation>每份回执均已验证：所列时间是服务器签名的时间。</translation>
    </message>
</context>
<context>
    <name>SessionsPage</name>
    <message>
        <source>Your evaluation sessions</source>
        <translation>我的评标项目</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Refresh the list of sessions</source>
        <translation>刷新评标项目列表</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>确认已阅</translation>
    </message>
    <message>
        <source>Acknowledge the edits the server did not apply</source>
        <translation>确认服务器未采用的修改</translation>
    </message>
    <message>
        <source>Let the edits the server did not apply go, having read why: they stay in your journal with the server&apos;s answer.</source>
        <translation>阅读原因后放弃服务器未采用的修改：它们连同服务器的答复仍保留在您的本地日志中。</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>评标</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>资格性/符合性审查</translation>
    </message>
    <message>
        <source>Scoring</source>
        <translation>详细评审打分</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>汇总</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>评标报告</translation>
    </message>
    <message>
        <source>Clarifications</source>
        <translation>澄清</translation>
    </message>
    <message>
        <source>The session&apos;s work</source>
        <translation>评标工作</translation>
    </message>
    <message>
        <source>No evaluation session to take part in.</source>
        <translation>暂无需要参加的评标项目。</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>Choose a session on the left.</source>
        <translation>请在左侧选择评标项目。</translation>
    </message>
    <message>
        <source>chair</source>
        <translation>组长</translation>
    </message>
    <message>
        <source>expert</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>Tender %1 · session %2 · phase: %3 · you: %4</source>
        <translation>项目 %1 · 评标 %2 · 阶段：%3 · 您的身份：%4</translation>
    </message>
    <message>
        <source>Checked in; your declaration and commitment are signed.</source>
        <translation>已签到；回避声明和承诺书已签署。</translation>
    </message>
    <message>
        <source>Your vote is recorded.</source>
        <translation>您的投票已记录。</translation>
    </message>
    <message>
        <source>The session is now in phase: %1</source>
        <translation>评标已进入阶段：%1</translation>
    </message>
    <message>
        <source>Your score sheet is signed and submitted; it is now frozen.</source>
        <translation>评分表已签名提交，现已锁定。</translation>
    </message>
    <message>
        <source>The sheet is returned to %1 with your reason.</source>
        <translation>已将评分表连同理由退回 %1。</translation>
    </message>
    <message>
        <source>You signed the report (signature %1).</source>
        <translation>您已签署评标报告（第 %1 个签名）。</translation>
    </message>
    <message>
        <source>The question was sent to the bidder through the platform.</source>
        <translation>问题已通过平台发给投标人。</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in with your dongle</source>
        <translation>用CA锁登录</translation>
    </message>
    <message>
        <source>Plug in your CA dongle, choose its signing certificate and sign in. You will be asked for the dongle&apos;s PIN once.</source>
        <translation>请插入CA锁，选择其签名证书并登录。只需输入一次CA锁的PIN码。</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>服务器(&amp;S)：</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>&amp;Certificate:</source>
        <translation>证书(&amp;C)：</translation>
    </message>
    <message>
        <source>Signing certificate</source>
        <translation>签名证书</translation>
    </message>
    <message>
        <source>Sign-in status</source>
        <translation>登录状态</translation>
    </message>
    <message>
        <source>&amp;Look again</source>
        <translation>重新查找(&amp;L)</translation>
    </message>
    <message>
        <source>Look for dongles again</source>
        <translation>重新查找CA锁</translation>
    </message>
    <message>
        <source>Sign &amp;in</source>
        <translation>登录(&amp;I)</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Warning: this connection is not encrypted. Your session and sign-in can be read and changed by anyone on the network.</source>
        <translation>警告：此连接未加密。网络上的任何人都可以读取和篡改您的会话和登录。</translation>
    </message>
    <message>
        <source>Plain http:// to another computer is refused: it is not encrypted. Use the platform&apos;s https:// address.</source>
        <translation>拒绝使用指向其他计算机的明文 http://：连接不加密。请使用平台的 https:// 地址。</translation>
    </message>
    <message>
        <source>Looking for dongles…</source>
        <translation>正在查找CA锁…</translation>
    </message>
    <message>
        <source>{count} signing certificates found.</source>
        <translation>找到 {count} 张签名证书。</translation>
    </message>
    <message>
        <source>No dongle with a signing certificate was found. Plug it in and press “Look again”; the Dongles and certificates window shows why a dongle is not seen.</source>
        <translation>未找到带签名证书的CA锁。请插入CA锁后点击“重新查找”；“CA锁与证书”窗口会显示CA锁未被识别的原因。</translation>
    </message>
    <message>
        <source>{subject} — dongle “{token}” — EXPIRED on {date}</source>
        <translation>{subject} — CA锁“{token}” — 已于 {date} 过期</translation>
    </message>
    <message>
        <source>{subject} — dongle “{token}” — REVOKED</source>
        <translation>{subject} — CA锁“{token}” — 已吊销</translation>
    </message>
    <message>
        <source>{subject} — dongle “{token}” — NOT VALID YET</source>
        <translation>{subject} — CA锁“{token}” — 尚未生效</translation>
    </message>
    <message>
        <source>{subject} — dongle “{token}”, valid until {date}</source>
        <translation>{subject} — CA锁“{token}”，有效期至 {date}</translation>
    </message>
    <message>
        <source>Enter the server address first.</source>
        <translation>请先输入服务器地址。</translation>
    </message>
    <message>
        <source>Choose a signing certificate first.</source>
        <translation>请先选择签名证书。</translation>
    </message>
    <message>
        <source>Signing in to {server}: enter the PIN when asked…</source>
        <translation>正在登录 {server}：请在提示时输入PIN码…</translation>
    </message>
    <message>
        <source>signing in</source>
        <translation>正在登录</translation>
    </message>
    <message>
        <source>Sign-in stopped. You are not signed in.</source>
        <translation>已停止登录。您尚未登录。</translation>
    </message>
    <message>
        <source>Not signed in, and no PIN was asked: this certificate cannot be used. {status} {step}</source>
        <translation>未登录，也未要求输入 PIN：此证书不可用。{status}{step}</translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation>未登录。</translation>
    </message>
    <message>
        <source>Signed in.</source>
        <translation>已登录。</translation>
    </message>
</context>
<context>
    <name>SpecialtiesPage</name>
    <message>
        <source>Specialties (专业分类)</source>
        <translation>专业分类</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>Refresh the specialties</source>
        <translation>刷新专业分类</translation>
    </message>
    <message>
        <source>Specialties</source>
        <translation>专业分类</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Add a specialty, or change the one selected</source>
        <translation>新增专业，或修改所选专业</translation>
    </message>
    <message>
        <source>C&amp;ode:</source>
        <translation>代码(&amp;O)：</translation>
    </message>
    <message>
        <source>Specialty code</source>
        <translation>专业代码</translation>
    </message>
    <message>
        <source>e.g. it.hw</source>
        <translation>例如：it.hw</translation>
    </message>
    <message>
        <source>Na&amp;me:</source>
        <translation>名称(&amp;M)：</translation>
    </message>
    <message>
        <source>Specialty name</source>
        <translation>专业名称</translation>
    </message>
    <message>
        <source>Ca&amp;tegory:</source>
        <translation>类别(&amp;T)：</translation>
    </message>
    <message>
        <source>Specialty category</source>
        <translation>专业类别</translation>
    </message>
    <message>
        <source>Technical and economic experts must be at least two thirds of a committee; the category says which a specialty is.</source>
        <translation>技术、经济方面的专家不得少于评标委员会成员总数的三分之二；类别表明该专业属于哪一方面。</translation>
    </message>
    <message>
        <source>&amp;Save specialty</source>
        <translation>保存专业(&amp;S)</translation>
    </message>
    <message>
        <source>Save the specialty</source>
        <translation>保存专业</translation>
    </message>
    <message>
        <source>Asking the server…</source>
        <translation>正在查询服务器…</translation>
    </message>
    <message>
        <source>{count} specialties.</source>
        <translation>共 {count} 个专业。</translation>
    </message>
    <message>
        <source>Give the code and the name.</source>
        <translation>请填写代码和名称。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved {code}: {name}.</source>
        <translation>已保存 {code}：{name}。</translation>
    </message>
    <message>
        <source>Sign in as the pool&apos;s administrator first.</source>
        <translation>请先以专家库管理员身份登录。</translation>
    </message>
</context>
<context>
    <name>SubmitPage</name>
    <message>
        <source>Submit the sealed bid (递交)</source>
        <translation>递交加密投标文件</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop the upload (it can be resumed)</source>
        <translation>暂停上传（可续传）</translation>
    </message>
    <message>
        <source>Upload progress</source>
        <translation>上传进度</translation>
    </message>
    <message>
        <source>Receipt (回执)</source>
        <translation>回执</translation>
    </message>
    <message>
        <source>&amp;Withdraw the bid…</source>
        <translation>撤回投标文件(&amp;W)…</translation>
    </message>
    <message>
        <source>Withdraw the submitted bid before the deadline</source>
        <translation>在截止时间前撤回已递交的投标文件</translation>
    </message>
    <message>
        <source>Seal a &amp;replacement…</source>
        <translation>重新加密以替换(&amp;R)…</translation>
    </message>
    <message>
        <source>Seal a new bid that replaces the submitted one</source>
        <translation>加密新的投标文件以替换已递交的文件</translation>
    </message>
    <message>
        <source>Submission history</source>
        <translation>递交记录</translation>
    </message>
    <message>
        <source>Sealed</source>
        <translation>加密时间</translation>
    </message>
    <message>
        <source>Submitted (server time)</source>
        <translation>递交时间（服务器时间）</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>回执</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>No sealed bid yet: seal it on the previous page.</source>
        <translation>尚无加密投标文件：请在上一页加密。</translation>
    </message>
    <message>
        <source>Sealed bid: {name}
SHA-256: {sha}
Size: {size} bytes</source>
        <translation>加密投标文件：{name}
SHA-256：{sha}
大小：{size} 字节</translation>
    </message>
    <message>
        <source>Your earlier bid, submitted {time}, is on the server and counts until you submit this one. Submitting this sealed bid replaces it.</source>
        <translation>您之前递交的投标文件（{time} 递交）已在平台上，在递交本文件之前它仍然有效。递交本加密文件后将替换之前的文件。</translation>
    </message>
    <message>
        <source>&amp;Resume the upload</source>
        <translation>继续上传(&amp;R)</translation>
    </message>
    <message>
        <source>Resume the interrupted upload</source>
        <translation>继续中断的上传</translation>
    </message>
    <message>
        <source>&amp;Submit, replacing the earlier bid</source>
        <translation>递交并替换之前的投标文件(&amp;S)</translation>
    </message>
    <message>
        <source>Submit this sealed bid in place of the earlier one</source>
        <translation>递交本加密投标文件，替换之前递交的文件</translation>
    </message>
    <message>
        <source>&amp;Submit the bid</source>
        <translation>递交投标文件(&amp;S)</translation>
    </message>
    <message>
        <source>Submit the sealed bid to the server</source>
        <translation>向平台递交加密投标文件</translation>
    </message>
    <message>
        <source>Deadline: {time}; opening: {opening}</source>
        <translation>截止时间：{time}；开标时间：{opening}</translation>
    </message>
    <message>
        <source>Deadline {time} (sign in to see the server clock)</source>
        <translation>截止时间 {time}（登录后显示平台服务器时间）</translation>
    </message>
    <message>
        <source>The deadline has passed and your bid is in: submitted {time}, receipt verified. The bids are opened {opening}.</source>
        <translation>投标截止时间已过，您的投标文件已递交成功：{time} 递交，回执已验证。开标时间：{opening}。</translation>
    </message>
    <message>
        <source>The deadline has passed (server time): bids are no longer accepted.</source>
        <translation>投标截止时间已过（以服务器时间为准）：不再接收投标文件。</translation>
    </message>
    <message>
        <source>Time left until the deadline (server clock): {days} d {clock}</source>
        <translation>距投标截止（服务器时间）：{days} 天 {clock}</translation>
    </message>
    <message>
        <source>Time left until the deadline (server clock): {clock}</source>
        <translation>距投标截止（服务器时间）：{clock}</translation>
    </message>
    <message>
        <source>Resuming the upload…</source>
        <translation>正在续传…</translation>
    </message>
    <message>
        <source>Uploading…</source>
        <translation>正在上传…</translation>
    </message>
    <message>
        <source>Uploaded {held:.1f} of {total:.1f} MB</source>
        <translation>已上传 {held:.1f} / {total:.1f} MB</translation>
    </message>
    <message>
        <source>Submitted. It replaces your earlier bid; the receipt was verified and saved with the bid.</source>
        <translation>已递交，并替换了您之前的投标文件；回执已验证并与投标文件一起保存。</translation>
    </message>
    <message>
        <source>Submitted. The receipt was verified and saved with the bid.</source>
        <translation>已递交。回执已验证，并与投标文件一同保存。</translation>
    </message>
    <message>
        <source>Not withdrawn: no PIN was given, so nothing was signed. Your bid is still in (submitted {time}).</source>
        <translation>未撤回：没有输入PIN码，因此未签署任何内容。您的投标文件仍然有效（{time} 递交）。</translation>
    </message>
    <message>
        <source>Not withdrawn. Your bid is still in (submitted {time}).</source>
        <translation>未撤回。您的投标文件仍然有效（{time} 递交）。</translation>
    </message>
    <message>
        <source>The upload stopped. What the server received is kept: press “Resume the upload” when the connection is back (also after restarting).</source>
        <translation>上传已中断。平台已收到的部分会保留：网络恢复后（包括重启程序后）请点击“继续上传”。</translation>
    </message>
    <message>
        <source>Not submitted. Your earlier bid (submitted {time}) is still in.</source>
        <translation>未递交。您之前的投标文件（{time} 递交）仍然有效。</translation>
    </message>
    <message>
        <source>Not submitted.</source>
        <translation>未递交。</translation>
    </message>
    <message>
        <source>Withdraw the bid?</source>
        <translation>撤回投标文件？</translation>
    </message>
    <message>
        <source>Withdraw your bid for {tender}?</source>
        <translation>确定撤回您在 {tender} 的投标文件吗？</translation>
    </message>
    <message>
        <source>Your PIN will sign a withdrawal statement for the bid submitted {time} (receipt {receipt}). The server then no longer counts it. To take part, you must submit a bid again before the deadline, {deadline}.</source>
        <translation>输入PIN码即签署撤回声明，撤回 {time} 递交的投标文件（回执 {receipt}）。撤回后平台不再计入该文件。如仍要参与投标，须在截止时间 {deadline} 之前重新递交。</translation>
    </message>
    <message>
        <source>Withdraw the bid</source>
        <translation>撤回投标文件</translation>
    </message>
    <message>
        <source>Keep the bid</source>
        <translation>保留投标文件</translation>
    </message>
    <message>
        <source>Not withdrawn: your bid is still in.</source>
        <translation>未撤回：您的投标文件仍然有效。</translation>
    </message>
    <message>
        <source>Withdrawing: enter the dongle&apos;s PIN when asked…</source>
        <translation>正在撤回：请按提示输入CA锁 PIN 码…</translation>
    </message>
    <message>
        <source>Withdrawn. You may seal and submit a new bid before the deadline.</source>
        <translation>已撤回。截止时间前可重新加密并递交投标文件。</translation>
    </message>
    <message>
        <source>Submission</source>
        <translation>递交</translation>
    </message>
    <message>
        <source>Withdrawal</source>
        <translation>撤回</translation>
    </message>
    <message>
        <source>Earlier submission (on the server until replaced)</source>
        <translation>之前的递交（在被替换之前仍在平台上有效）</translation>
    </message>
    <message>
        <source>{title}: verified ✓
Received at (server time): {time}
Timestamp: {stamp}
Signed by the server: {signer}
Envelope SHA-256: {sha}{match}
Submission: {id}</source>
        <translation>{title}回执：验证通过 ✓
接收时间（服务器时间）：{time}
时间戳：{stamp}
平台签名：{signer}
加密文件 SHA-256：{sha}{match}
递交编号：{id}</translation>
    </message>
    <message>
        <source> (matches the sealed bid)</source>
        <translation>（与加密投标文件一致）</translation>
    </message>
    <message>
        <source>No receipt yet.</source>
        <translation>尚无回执。</translation>
    </message>
    <message>
        <source>Withdrawn {time}</source>
        <translation>已于 {time} 撤回</translation>
    </message>
    <message>
        <source>In: the bid that counts</source>
        <translation>有效：以此文件为准</translation>
    </message>
    <message>
        <source>Replaced by a later submission</source>
        <translation>已被之后的递交替换</translation>
    </message>
    <message>
        <source>Sealed, not submitted yet</source>
        <translation>已加密，尚未递交</translation>
    </message>
    <message>
        <source>Sealed, never submitted</source>
        <translation>已加密，未递交</translation>
    </message>
</context>
<context>
    <name>SummaryView</name>
    <message>
        <source>Art. 64 checks (87号令): the only grounds on which a score may change</source>
        <translation>87号令第六十四条复核：仅在以下情形可修改评分</translation>
    </message>
    <message>
        <source>Return a sheet to its expert (the reason is recorded):</source>
        <translation>将评分表退回专家（理由将被记录）：</translation>
    </message>
    <message>
        <source>Expert whose sheet to return</source>
        <translation>退回评分表的专家</translation>
    </message>
    <message>
        <source>Reason for returning the sheet (required)</source>
        <translation>退回理由（必填）</translation>
    </message>
    <message>
        <source>Reason for returning the sheet</source>
        <translation>退回理由</translation>
    </message>
    <message>
        <source>Return the sheet</source>
        <translation>退回评分表</translation>
    </message>
    <message>
        <source>The committee&apos;s scores and ranking</source>
        <translation>评标委员会评分与排序</translation>
    </message>
    <message>
        <source>Art. 64 checks</source>
        <translation>第六十四条复核</translation>
    </message>
    <message>
        <source>Every sheet is in (%1 of %2): move the session on to the summary phase (Session tab) to see it.</source>
        <translation>评分表已全部提交（%1/%2）：请在“评标”页进入汇总阶段后查看。</translation>
    </message>
    <message>
        <source>The summary is shown once every sheet is in: %1 of %2 submitted.</source>
        <translation>全部评分表提交后显示汇总：已提交 %1/%2。</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Bid</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Final score</source>
        <translation>最终得分</translation>
    </message>
    <message>
        <source>Calculation</source>
        <translation>计算过程</translation>
    </message>
    <message>
        <source>excluded</source>
        <translation>已否决</translation>
    </message>
    <message>
        <source>excluded in the review</source>
        <translation>审查未通过，已否决</translation>
    </message>
    <message>
        <source>No Art. 64 flag: no score needs a second look.</source>
        <translation>无第六十四条情形：没有需要复核的分值。</translation>
    </message>
</context>
<context>
    <name>SupervisorWorkspace</name>
    <message>
        <source>Evaluation sessions</source>
        <translation>评标项目</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Refresh the list of sessions</source>
        <translation>刷新评标项目列表</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>委员</translation>
    </message>
    <message>
        <source>Scores</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>汇总</translation>
    </message>
    <message>
        <source>Report signatures</source>
        <translation>报告签字</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>Clarifications</source>
        <translation>澄清</translation>
    </message>
    <message>
        <source>The session, read-only</source>
        <translation>评标情况（只读）</translation>
    </message>
    <message>
        <source>Members of the committee</source>
        <translation>评标委员会成员</translation>
    </message>
    <message>
        <source>Every score and verdict</source>
        <translation>全部评分和审查结论</translation>
    </message>
    <message>
        <source>The committee&apos;s summary</source>
        <translation>评标委员会汇总</translation>
    </message>
    <message>
        <source>The report&apos;s signatures</source>
        <translation>评标报告签字</translation>
    </message>
    <message>
        <source>Audit trail of the session</source>
        <translation>本次评标的审计日志</translation>
    </message>
    <message>
        <source>Choose a session on the left.</source>
        <translation>请在左侧选择评标项目。</translation>
    </message>
    <message>
        <source>Tender %1 · session %2 · phase: %3 (read-only)</source>
        <translation>项目 %1 · 评标 %2 · 阶段：%3（只读）</translation>
    </message>
    <message>
        <source>Excluded in the review: %1</source>
        <translation>审查否决：%1</translation>
    </message>
    <message>
        <source>Expert</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Chair</source>
        <translation>组长</translation>
    </message>
    <message>
        <source>Sheet</source>
        <translation>评分表</translation>
    </message>
    <message>
        <source>Checked in</source>
        <translation>签到时间</translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation>提交时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>chair</source>
        <translation>组长</translation>
    </message>
    <message>
        <source>Bid</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>评审项</translation>
    </message>
    <message>
        <source>Score or verdict</source>
        <translation>分值或结论</translation>
    </message>
    <message>
        <source>Reason or comment</source>
        <translation>理由或评语</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>fail</source>
        <translation>不通过</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>总分</translation>
    </message>
    <message>
        <source>excluded</source>
        <translation>已否决</translation>
    </message>
    <message>
        <source>Not every sheet is in yet.</source>
        <translation>评分表尚未全部提交。</translation>
    </message>
    <message>
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>意见</translation>
    </message>
    <message>
        <source>Reasons</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>签字时间</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>What</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Entry hash</source>
        <translation>记录哈希</translation>
    </message>
</context>
<context>
    <name>SyncIndicator</name>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Synced: every edit is on the server</source>
        <translation>已同步：所有修改均已保存到服务器</translation>
    </message>
    <message numerus="yes">
        <source>Saved locally: %n edit(s) wait to be sent</source>
        <translation>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Offline: %n edit(s) saved locally, sent when the server is back</source>
        <translation>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Conflict: %n edit(s) not applied by the server</source>
        <translation>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Every edit is saved in your journal on this computer first, then sent to the server. A conflict is never resolved silently: enter the value again, or acknowledge it.</source>
        <translation>每项修改先保存到本机日志，再发送到服务器。冲突不会被悄悄处理：请重新填写，或确认已阅。</translation>
    </message>
    <message>
        <source>Sync state</source>
        <translation>同步状态</translation>
    </message>
</context>
<context>
    <name>TaskProgress</name>
    <message>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <source>Stop: {what}</source>
        <translation>停止：{what}</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Progress: {what}</source>
        <translation>进度：{what}</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
</context>
<context>
    <name>TenderBrowser</name>
    <message>
        <source>Tenders open on the server</source>
        <translation>平台上正在招标的项目</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Refresh the list of tenders</source>
        <translation>刷新招标项目列表</translation>
    </message>
    <message>
        <source>&amp;Fetch and prepare a bid</source>
        <translation>下载并编制投标文件(&amp;F)</translation>
    </message>
    <message>
        <source>Fetch the selected tender and prepare a bid</source>
        <translation>下载所选招标文件并编制投标文件</translation>
    </message>
    <message>
        <source>Tenders</source>
        <translation>招标项目</translation>
    </message>
    <message>
        <source>Tender</source>
        <translation>招标编号</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>项目名称</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Deadline ({zone})</source>
        <translation>截止时间（{zone}）</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>招标代理</translation>
    </message>
    <message>
        <source>Scoring criteria (评分点)</source>
        <translation>评分点</translation>
    </message>
    <message>
        <source>Scoring criteria</source>
        <translation>评分点</translation>
    </message>
    <message>
        <source>Criterion</source>
        <translation>评分点</translation>
    </message>
    <message>
        <source>Weight %</source>
        <translation>权重 %</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Tender documents</source>
        <translation>招标文件</translation>
    </message>
    <message>
        <source>&amp;Open document</source>
        <translation>打开文件(&amp;O)</translation>
    </message>
    <message>
        <source>Open the selected tender document in the app</source>
        <translation>在本程序中打开所选招标文件</translation>
    </message>
    <message>
        <source>Save a copy…</source>
        <translation>另存副本…</translation>
    </message>
    <message>
        <source>Save a copy of the tender document</source>
        <translation>另存招标文件副本</translation>
    </message>
    <message>
        <source>Open in system viewer</source>
        <translation>在系统查看器中打开</translation>
    </message>
    <message>
        <source>Open the selected tender document in the system&apos;s PDF viewer</source>
        <translation>在系统 PDF 阅读器中打开所选招标文件</translation>
    </message>
    <message>
        <source>The documents were checked against the agency&apos;s signature when fetched.</source>
        <translation>下载时已按招标代理的签名核验这些文件。</translation>
    </message>
    <message>
        <source>Sign in to see the tenders.</source>
        <translation>请登录后查看招标项目。</translation>
    </message>
    <message>
        <source>Asking the server…</source>
        <translation>正在查询平台…</translation>
    </message>
    <message>
        <source>{count} tender(s).</source>
        <translation>共 {count} 个招标项目。</translation>
    </message>
    <message>
        <source>Fetching {tender} and checking its signature…</source>
        <translation>正在下载 {tender} 并验证签名…</translation>
    </message>
    <message>
        <source>Fetched version {version}; signature and documents verified.</source>
        <translation>已下载第 {version} 版；签名和文件均已验证。</translation>
    </message>
    <message>
        <source>No tender chosen yet</source>
        <translation>尚未选择招标项目</translation>
    </message>
    <message>
        <source>Choose a tender on the left and fetch it. Its signature and documents are checked before anything is shown.</source>
        <translation>请在左侧选择招标项目并下载。显示前会先验证其签名和文件。</translation>
    </message>
    <message>
        <source>Tender {tender}, version {version}
Signed by {agency}: signature verified
Bid deadline: {deadline} (server time)
Opening: {opening}
Lots: {lots}</source>
        <translation>招标编号 {tender}，第 {version} 版
签名方 {agency}：签名已验证
投标截止时间：{deadline}（服务器时间）
开标时间：{opening}
标段（包）：{lots}</translation>
    </message>
    <message>
        <source>price (formula)</source>
        <translation>价格（公式计算）</translation>
    </message>
    <message>
        <source>objective</source>
        <translation>客观分</translation>
    </message>
    <message>
        <source>subjective</source>
        <translation>主观分</translation>
    </message>
    <message>
        <source>No program to open {name} was found on this computer. Read it here with &quot;Open document&quot;, or save a copy and open it with a PDF reader of your choice.</source>
        <translation>本机没有可打开 {name} 的程序。可点击“打开文件”在此阅读，或另存副本后用您选择的PDF阅读器打开。</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Saved a copy as {path}.</source>
        <translation>已另存副本：{path}。</translation>
    </message>
</context>
<context>
    <name>TransferPage</name>
    <message>
        <source>Import and export the pool (CSV)</source>
        <translation>专家库导入与导出（CSV）</translation>
    </message>
    <message>
        <source>The import admits new experts and updates those already in the pool (by identity). It is all or nothing: if any row is wrong, nothing is imported and every bad line is listed. The export is a file the import takes back: export, edit in a spreadsheet, save as &apos;CSV UTF-8&apos;, import.</source>
        <translation>导入时新增专家入库，并按身份标识更新库中已有专家。导入要么全部成功，要么全部不导入：任何一行有误，整份文件都不导入，并逐行列出错误。导出的文件可直接再次导入：导出后在电子表格中编辑，另存为“CSV UTF-8”，再导入。</translation>
    </message>
    <message>
        <source>&amp;Import CSV…</source>
        <translation>导入 CSV(&amp;I)…</translation>
    </message>
    <message>
        <source>Import experts from a CSV file</source>
        <translation>从 CSV 文件导入专家</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>导出 CSV(&amp;E)…</translation>
    </message>
    <message>
        <source>Export the pool to a CSV file</source>
        <translation>将专家库导出为 CSV 文件</translation>
    </message>
    <message>
        <source>Rows the import refused</source>
        <translation>导入被拒绝的行</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>What is wrong</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Import experts</source>
        <translation>导入专家</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Checking and importing {file}…</source>
        <translation>正在检查并导入 {file}…</translation>
    </message>
    <message>
        <source>{file} imported: {created} new expert(s), {updated} updated.</source>
        <translation>{file} 已导入：新增 {created} 位专家，更新 {updated} 位。</translation>
    </message>
    <message>
        <source>{file} was refused as a whole: {count} line(s) are wrong. Nothing was imported and the pool is unchanged.</source>
        <translation>{file} 整份被拒绝：有 {count} 行错误。未导入任何数据，专家库未作任何变更。</translation>
    </message>
    <message>
        <source>Export the pool</source>
        <translation>导出专家库</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>The pool was saved to {path} ({size} bytes).</source>
        <translation>专家库已保存到 {path}（{size} 字节）。</translation>
    </message>
    <message>
        <source>Exporting the pool…</source>
        <translation>正在导出专家库…</translation>
    </message>
    <message>
        <source>Sign in as the pool&apos;s administrator first.</source>
        <translation>请先以专家库管理员身份登录。</translation>
    </message>
</context>
<context>
    <name>TrustKeeper</name>
    <message>
        <source>Asking {server} for its trust list…</source>
        <translation>正在向 {server} 获取信任列表…</translation>
    </message>
    <message>
        <source>No trust list: tenders cannot be fetched until you get it (File menu).</source>
        <translation>未配置信任列表：获取之前无法下载招标文件（见“文件”菜单）。</translation>
    </message>
    <message>
        <source>Trust list of {server} installed (serial {serial}, {count} CA certificates).</source>
        <translation>已安装 {server} 的信任列表（序号 {serial}，CA 证书 {count} 个）。</translation>
    </message>
    <message>
        <source>The trust list could not be updated now; the installed one is used.</source>
        <translation>暂时无法更新信任列表，继续使用已安装的列表。</translation>
    </message>
    <message>
        <source>Trust list</source>
        <translation>信任列表</translation>
    </message>
</context>
<context>
    <name>TrustListDialog</name>
    <message>
        <source>Get the platform&apos;s trust list</source>
        <translation>获取平台信任列表</translation>
    </message>
    <message>
        <source>This computer has no trust list yet. Without one, bidclient cannot check who signed a tender, so it cannot fetch tenders.

The platform {server} offers its trust list ({count} CA certificates), signed with its server key. Before you accept, compare the fingerprint below with the one the platform publishes (its web site or the tender announcement). Once accepted, the list is kept up to date at every sign-in.</source>
        <translation>本机尚未配置信任列表。没有信任列表，bidclient 无法核验招标文件的签名方，因此无法下载招标文件。

平台 {server} 提供其信任列表（CA 证书 {count} 个），并由其服务器密钥签名。接受之前，请将下面的指纹与平台公布的指纹（平台网站或招标公告）进行核对。接受后，每次登录时都会自动更新该列表。</translation>
    </message>
    <message>
        <source>Server CA (SHA-256):
{ca}

Trust list signed by (SHA-256):
{signer}</source>
        <translation>平台服务器 CA（SHA-256）：
{ca}

信任列表签名证书（SHA-256）：
{signer}</translation>
    </message>
    <message>
        <source>Fingerprints to compare</source>
        <translation>待核对的指纹</translation>
    </message>
    <message>
        <source>The fingerprint matches: &amp;get the trust list</source>
        <translation>指纹一致：获取信任列表(&amp;G)</translation>
    </message>
    <message>
        <source>Get the trust list</source>
        <translation>获取信任列表</translation>
    </message>
    <message>
        <source>&amp;Not now</source>
        <translation>暂不获取(&amp;N)</translation>
    </message>
    <message>
        <source>Do not get the trust list now</source>
        <translation>暂不获取信任列表</translation>
    </message>
</context>
<context>
    <name>Workspaces</name>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
    <message>
        <source>Expert pool</source>
        <translation>专家库管理</translation>
    </message>
    <message>
        <source>Expert</source>
        <translation>评标专家</translation>
    </message>
    <message>
        <source>Opening committee</source>
        <translation>开标委员会</translation>
    </message>
    <message>
        <source>Opening</source>
        <translation>开标</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>监督</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>代理机构</translation>
    </message>
</context>
</TS>
