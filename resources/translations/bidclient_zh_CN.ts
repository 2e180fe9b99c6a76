<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
        <source>Ask the platform for its trust list and put it in the bidclient trust folder.</source>
        <translation>请向交易平台索取信任列表，并放入 bidclient 的信任目录。</translation>
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
    <name>MainWindow</name>
    <message>
        <source>bidclient — paperless bidding</source>
        <translation>bidclient — 电子投标</translation>
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
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About bidclient</source>
        <translation>关于 bidclient(&amp;A)</translation>
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
        <source>Not signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Signed in: {name} ({code})</source>
        <translation>已登录：{name}（{code}）</translation>
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
        <source>Not signed in.</source>
        <translation>未登录。</translation>
    </message>
    <message>
        <source>Signed in.</source>
        <translation>已登录。</translation>
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
    <name>Workspaces</name>
    <message>
        <source>Bidder</source>
        <translation>投标人</translation>
    </message>
</context>
</TS>
